#pragma once
// REST: /v1/api_keys (create, list, get, rotate, revoke) and /v1/audit.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"

namespace apikey {

void register_routes(ambit::sdk::Context& ctx, const Config& config, Store& store);

}  // namespace apikey
