#pragma once
// The routes: /oauth/register and the metadata document, /oauth/authorize
// (sign-in and consent), /oauth/token, /oauth/revoke, /oauth/introspect, and
// the tenant's /v1/oauth_clients and /v1/oauth_grants.
#include "ambit/sdk/context.hpp"
#include "authenticator.hpp"
#include "config.hpp"
#include "rate_limit.hpp"
#include "revocation.hpp"
#include "store.hpp"

namespace oauth {

/// The plugin's own limits. Sign-in attempts are budgeted by the identity
/// core (Identity::sign_in), not here.
struct Limits {
  WindowCounter registrations_per_address;

  explicit Limits(const Config& c) : registrations_per_address(c.register_per_minute, std::chrono::minutes(1)) {}
};

struct Deps {
  ambit::sdk::Context& ctx;
  const Config& config;
  Store& store;
  TokenAuthenticator& tokens;
  Limits& limits;
};

void register_discovery_routes(const Deps& d);  ///< /oauth/register, /.well-known/oauth-authorization-server
void register_authorize_routes(const Deps& d);  ///< GET and POST /oauth/authorize
void register_token_routes(const Deps& d);      ///< /oauth/token, /oauth/revoke, /oauth/introspect
void register_admin_routes(const Deps& d);      ///< /v1/oauth_clients, /v1/oauth_grants


}  // namespace oauth
