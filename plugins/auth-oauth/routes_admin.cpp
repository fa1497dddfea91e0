// A tenant's OAuth clients and grants (seed: oauth_clients): list them,
// revoke a client with every token it holds, revoke one grant.
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"
#include "registration.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth {

void register_admin_routes(const Deps& d) {
  const sdk::RouteGroup clients{d.ctx, "/v1/oauth_clients", {"oauth"}};
  clients.add("GET", "", "oauth_clients:read", "The OAuth clients registered with this tenant's credentials",
              "LIST_FAILED", [d](const sdk::Request& req) {
                json::array out;
                for (auto& c : d.store.tenant_clients(*d.ctx.database().session(), req.caller().tenant_id)) {
                  json::object o = client_metadata_json(c);
                  o["created_at"] = sdk::format_time(c.created_at);
                  o["last_used_at"] = sdk::format_time_or_null(c.last_used_at);
                  out.push_back(std::move(o));
                }
                return sdk::Response::data(std::move(out));
              });
  clients.add("DELETE", "/:clientId", "oauth_clients:manage",
              "Revoke a client and every access and refresh token it holds (irreversible)", "REVOKE_FAILED",
              [d](const sdk::Request& req) {
                const std::string& id = req.param("clientId");
                d.ctx.database().transaction([&](soci::session& tx) {
                  auto client = d.store.find_client(tx, id);
                  if (!client || client->tenant_id != req.caller().tenant_id)
                    throw sdk::ApiError::not_found("OAuth client not found");
                  d.store.delete_client(tx, id);
                  d.ctx.events().publish(tx, kChangedTopic, "client:" + id);
                });
                return sdk::Response::data({{"client_id", id}, {"revoked", true}});
              });

  const sdk::RouteGroup grants{d.ctx, "/v1/oauth_grants", {"oauth"}};
  grants.add("GET", "", "oauth_clients:read", "The tenant's OAuth grants: which user let which client in, with what scope",
             "LIST_FAILED", [d](const sdk::Request& req) {
               auto s = d.ctx.database().session();
               json::array out;
               for (auto& g : d.store.tenant_grants(*s, req.caller().tenant_id)) {
                 auto client = d.store.find_client(*s, g.client_id);
                 out.push_back(json::object{{"id", g.id},
                                            {"client_id", g.client_id},
                                            {"client_name", client ? client->name : ""},
                                            {"user_id", g.user_id},
                                            {"scope", g.scope},
                                            {"created_at", sdk::format_time(g.created_at)}});
               }
               return sdk::Response::data(std::move(out));
             });
  grants.add("DELETE", "/:grantId", "oauth_clients:manage", "Revoke one grant with its tokens", "REVOKE_FAILED",
             [d](const sdk::Request& req) {
               const std::string& id = req.param("grantId");
               d.ctx.database().transaction([&](soci::session& tx) {
                 auto grant = d.store.find_grant(tx, id);
                 if (!grant || grant->tenant_id != req.caller().tenant_id)
                   throw sdk::ApiError::not_found("grant not found");
                 revoke_grant(d, tx, id);
               });
               return sdk::Response::data({{"grant_id", id}, {"revoked", true}});
             });
}

}  // namespace oauth
