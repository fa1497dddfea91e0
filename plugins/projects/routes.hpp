#pragma once
// The seed's /v1/admin/projects API (projects.txt) plus archive/unarchive.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "provisioner.hpp"
#include "store.hpp"

namespace projects {

void register_routes(ambit::sdk::Context& ctx, const Config& config, Store& store, Provisioner& provisioner);

}  // namespace projects
