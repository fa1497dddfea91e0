#pragma once
// The seed's /v1/admin/projects/:projectId/secrets API plus resync.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"
#include "syncer.hpp"

namespace secrets {

void register_routes(ambit::sdk::Context& ctx, const Config& config, Store& store, Syncer& syncer);

}  // namespace secrets
