// A tenant's OAuth clients and grants (seed: oauth_clients): list them,
// revoke a client with every token it holds, revoke one grant (up to the
// caller's role: an admin cannot revoke an owner's grant).
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"
#include "operations.hpp"
#include "registration.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth {

void register_admin_routes(const Deps& d) {
  const sdk::RouteGroup clients{d.ctx, "/v1/oauth_clients", {"oauth"}};
  clients.operation(operations::oauth_clients_list(), "GET", "", "oauth_clients:read", "LIST_FAILED",
              [d](const sdk::Request& req) {
                auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
                auto rows = d.store.tenant_clients(*d.ctx.database().session(), req.caller().tenant_id, page.after,
                                                   page.fetch());
                auto found = sdk::finish_page(page, std::move(rows),
                                              [](const ClientRecord& c) { return sdk::TimeIdKey{c.created_at, c.id}; });
                json::array out;
                for (auto& c : found.items) {
                  json::object o = client_metadata_json(c);
                  o["created_at"] = sdk::format_time(c.created_at);
                  o["last_used_at"] = sdk::format_time_or_null(c.last_used_at);
                  out.push_back(std::move(o));
                }
                return sdk::paged_data(std::move(out), found.next_cursor);
              });
  clients.operation(operations::oauth_clients_revoke(), "DELETE", "/:clientId", "oauth_clients:manage", "REVOKE_FAILED",
              [d](const sdk::Request& req) {
                const std::string& id = req.param("clientId");
                d.ctx.database().transaction([&](soci::session& tx) {
                  auto client = d.store.find_client(tx, id);
                  if (!client || client->tenant_id != req.caller().tenant_id)
                    throw sdk::ApiError::not_found("OAuth client not found");
                  revoke_client(d.ctx, d.store, tx, id);
                });
                return sdk::Response::data({{"client_id", id}, {"revoked", true}});
              });

  const sdk::RouteGroup grants{d.ctx, "/v1/oauth_grants", {"oauth"}};
  grants.operation(operations::oauth_grants_list(), "GET", "", "oauth_clients:read", "LIST_FAILED", [d](const sdk::Request& req) {
               auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
               auto s = d.ctx.database().session();
               auto found = sdk::finish_page(page, d.store.tenant_grants(*s, req.caller().tenant_id, page.after, page.fetch()),
                                             [](const GrantRecord& g) { return sdk::TimeIdKey{g.created_at, g.id}; });
               json::array out;
               for (auto& g : found.items) {
                 auto client = d.store.find_client(*s, g.client_id);
                 out.push_back(json::object{{"id", g.id},
                                            {"client_id", g.client_id},
                                            {"client_name", client ? client->name : ""},
                                            {"user_id", g.user_id},
                                            {"scope", g.scope},
                                            {"created_at", sdk::format_time(g.created_at)}});
               }
               return sdk::paged_data(std::move(out), found.next_cursor);
             });
  grants.operation(operations::oauth_grants_revoke(), "DELETE", "/:grantId", "oauth_clients:manage", "REVOKE_FAILED",
             [d](const sdk::Request& req) {
               const std::string& id = req.param("grantId");
               const auto& caller = req.caller();
               // Read before the transaction: identity reads borrow a pooled session.
               auto grant = d.store.find_grant(*d.ctx.database().session(), id);
               if (!grant || grant->tenant_id != caller.tenant_id) throw sdk::ApiError::not_found("grant not found");
               // Another member's grant is theirs to keep unless the caller ranks at least as high
               // (an admin cannot cut an owner off); one's own grant may always go.
               if (grant->user_id != caller.user_id)
                 if (auto member = d.ctx.identity().member(grant->tenant_id, grant->user_id))
                   d.ctx.identity().check_role_ceiling(caller, member->role);
               d.ctx.database().transaction([&](soci::session& tx) {
                 if (!d.store.find_grant(tx, id)) throw sdk::ApiError::not_found("grant not found");
                 revoke_grant(d.ctx, d.store, tx, id);
               });
               return sdk::Response::data({{"grant_id", id}, {"revoked", true}});
             });
}

}  // namespace oauth
