#pragma once
// The seed's /v1/admin/projects/:projectId/secrets API, plus one secret's metadata
// (GET /:name, the seed's amba_secrets_get) and resync; operations in operations.cpp.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"
#include "syncer.hpp"

namespace secrets {

void register_routes(ambit::sdk::Context& ctx, const Config& config, Store& store, Syncer& syncer);

}  // namespace secrets
