// POST /oauth/register (RFC 7591 dynamic registration) and
// GET /.well-known/oauth-authorization-server (RFC 8414 metadata).
#include "ambit/sdk/routes.hpp"
#include "credentials.hpp"
#include "operations.hpp"
#include "protocol.hpp"
#include "registration.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth {

void register_discovery_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, "", {"oauth"}};

  sdk::RouteSpec reg;
  reg.method = "POST";
  reg.path = "/oauth/register";
  // open: anyone, and a tenant credential (with oauth_clients:manage) binds
  // the client to its tenant; tenant: that credential is required (it is the
  // initial access token).
  reg.auth = d.config.registration_open ? sdk::AuthMode::optional : sdk::AuthMode::required;
  reg.handler = [d](const sdk::Request& req) {
    std::int64_t now = d.ctx.clock().now_ms();
    if (d.limits.registrations_per_address.exhausted(req.remote_address, now))
      return oauth_error(429, "too_many_requests", "too many registrations from this address; retry in a minute")
          .with_header("Retry-After", "60");
    d.limits.registrations_per_address.add(req.remote_address, now);
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec) return oauth_error(400, "invalid_client_metadata", "the body is not valid JSON");
    ClientRecord client;
    try {
      client = parse_registration(body, d.ctx.identity());
    } catch (const RegistrationError& e) {
      return oauth_error(400, e.code, e.what());
    }
    if (req.principal && !req.principal->has_scope("oauth_clients:manage"))
      return oauth_error(403, "access_denied", "binding a client to a tenant needs the scope oauth_clients:manage");
    client.id = new_id(d.ctx.keyring(), kClientPrefix);
    client.created_at = now;
    if (req.principal) client.tenant_id = req.principal->tenant_id;
    std::string secret;
    if (client.confidential()) {
      secret = new_secret(d.ctx.keyring(), kSecretPrefix);
      client.secret_hash = secret_hash(d.ctx.keyring(), secret);
    }
    std::optional<sdk::Response> refused;
    d.ctx.database().transaction([&](soci::session& tx) {
      refused.reset();
      d.ctx.database().lock_in_transaction(tx, "auth-oauth:register");  // the caps hold across processes
      // Separate caps: anonymous registrations cannot crowd out a tenant's own.
      bool anonymous = client.tenant_id.empty();
      std::size_t cap = anonymous ? d.config.max_anonymous_clients : d.config.max_clients_per_tenant;
      if (d.store.count_clients(tx, client.tenant_id) >= cap)
        return void(refused = oauth_error(403, "registration_limit_reached",
                                          anonymous ? "the server holds its most anonymous clients"
                                                    : "the tenant holds its most clients"));
      d.store.insert_client(tx, client);
    });
    if (refused) return std::move(*refused);
    json::object out = client_metadata_json(client);
    if (!secret.empty()) {
      out["client_secret"] = secret;  // shown once
      out["client_secret_expires_at"] = 0;
    }
    return no_store_json(out, 201);
  };
  api.operation(operations::oauth_clients_register(), std::move(reg), "REGISTER_FAILED");

  sdk::RouteSpec meta;
  meta.method = "GET";
  meta.path = "/.well-known/oauth-authorization-server";
  meta.auth = sdk::AuthMode::none;
  meta.may_block = false;
  meta.handler = [d](const sdk::Request&) {
    const std::string& base = d.ctx.public_url();
    json::array scopes;
    for (auto& s : d.ctx.identity().scopes()) scopes.emplace_back(s);
    json::array methods{"none", "client_secret_basic", "client_secret_post"};
    return sdk::Response::json(json::object{
        {"issuer", base},
        {"authorization_endpoint", base + "/oauth/authorize"},
        {"token_endpoint", base + "/oauth/token"},
        {"registration_endpoint", base + "/oauth/register"},
        {"revocation_endpoint", base + "/oauth/revoke"},
        {"introspection_endpoint", base + "/oauth/introspect"},
        {"response_types_supported", json::array{"code"}},
        {"response_modes_supported", json::array{"query"}},
        {"grant_types_supported", json::array{"authorization_code", "refresh_token"}},
        {"code_challenge_methods_supported", json::array{"S256"}},
        {"token_endpoint_auth_methods_supported", methods},
        {"revocation_endpoint_auth_methods_supported", methods},
        {"introspection_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}},
        {"scopes_supported", std::move(scopes)},
        {"authorization_response_iss_parameter_supported", true}});
  };
  api.operation(operations::oauth_metadata_get(), std::move(meta), "METADATA_FAILED");
}

}  // namespace oauth
