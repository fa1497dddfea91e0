#pragma once
// remote-config's routes: the admin API (seeds/remote-config.txt plus
// segments and config versions) and the client endpoint GET /v1/client/config.
#include <optional>
#include <string>

#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "config_cache.hpp"
#include "config_writer.hpp"
#include "store.hpp"
#include "stream_hub.hpp"

namespace remote_config {

void register_admin_routes(ambit::sdk::Context& ctx, const Config& config, Store& store, ConfigWriter& writer);
/// Config versions: list, one, rollback.
void register_version_routes(ambit::sdk::Context& ctx, Store& store, ConfigWriter& writer);
/// GET /v1/client/config and its stream.
void register_client_routes(ambit::sdk::Context& ctx, ConfigCache& cache, StreamHub& hub);
/// The caller's project of the route's :projectId (404 for another tenant's).
std::string project_of(ambit::sdk::Context& ctx, const ambit::sdk::Request& req);
/// The request's If-Match header, when it sent one.
std::optional<std::string> if_match(const ambit::sdk::Request& req);
/// The provisioning step: seed the system segments (idempotent).
void seed_system_segments(ConfigWriter& writer, const std::string& project_id, soci::session& tx);

}  // namespace remote_config
