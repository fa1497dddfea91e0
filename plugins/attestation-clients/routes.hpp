#pragma once
// The routes under /management/v1, in three files: the catalog and
// subscriptions, policies, and API clients (with key verification).
#include <string>

#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"
#include "verifier.hpp"

namespace attestation {

inline constexpr const char* kBase = "/management/v1";

struct Deps {
  ambit::sdk::Context& ctx;
  const Config& config;
  Store& store;
  Verifier& verifier;
};

void register_catalog_routes(const Deps& deps);
void register_policy_routes(const Deps& deps);
void register_client_routes(const Deps& deps);

// --- shared by the three --------------------------------------------------------

enum class Body { none, json };
/// The seed's header rules around `handler`: Accept on every route, and
/// Content-Type on routes that take a JSON body.
ambit::sdk::Handler with_media_rules(Body body, ambit::sdk::Handler handler);
/// The catalog's service named by the path's :serviceId; 404 when unknown.
const Service& service_of(const Config& config, const ambit::sdk::Request& req);
/// The tenant's plan for `service`: its subscription, or the default plan.
const Product& current_plan(const Config& config, const Service& service, const std::optional<Subscription>& sub);
/// Serializes one tenant's attestation writes (policies in use, plans, clients).
void lock_tenant(ambit::sdk::Context& ctx, soci::session& tx, const std::string& tenant);

}  // namespace attestation
