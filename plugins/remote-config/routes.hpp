#pragma once
// remote-config's routes: the admin API (seeds/remote-config.txt plus
// segments) and the client endpoint GET /v1/client/config.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "config_cache.hpp"
#include "store.hpp"

namespace remote_config {

void register_admin_routes(ambit::sdk::Context& ctx, const Config& config, Store& store);
void register_client_routes(ambit::sdk::Context& ctx, ConfigCache& cache);
/// The provisioning step: seed the system segments (idempotent).
void seed_system_segments(ambit::sdk::Context& ctx, Store& store, const std::string& project_id, soci::session& tx);

}  // namespace remote_config
