#include "identity/identity_routes.hpp"

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/time.hpp"
#include "identity/identity_operations.hpp"
#include "operations/declared_operation.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

json::array to_json(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.push_back(json::string(s));
  return a;
}

json::object member_json(const sdk::Member& m) {
  return {{"user_id", m.user_id}, {"email", m.email}, {"role", m.role}, {"created_at", sdk::format_time(m.created_at)}};
}

/// The tenant's owners, counted under a lock that serializes every change
/// to them (advisory lock on PostgreSQL), so two concurrent demotions cannot
/// both see a second owner.
int count_owners_locked(sdk::Database& db, soci::session& tx, const std::string& tenant_id) {
  db.lock_in_transaction(tx, "ambit.owners:" + tenant_id);
  int n = 0;
  tx << "SELECT COUNT(*) FROM ambit_memberships WHERE tenant_id = :t AND role = 'owner'", soci::use(tenant_id),
      soci::into(n);
  return n;
}

}  // namespace

const sdk::Principal& user_caller(const sdk::Request& req) {
  const auto& p = req.caller();
  if (p.user_id.empty())
    throw sdk::ApiError(403, "forbidden", "this call needs a user credential", {{"reason", "not_a_user_credential"}});
  return p;
}

void add_identity_route(Router& router, std::string method, std::string path, std::string scope, sdk::AuthMode auth,
                        bool may_block, sdk::Operation op, sdk::Handler h) {
  sdk::RouteSpec r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.scope = std::move(scope);
  r.auth = auth;
  r.may_block = may_block;
  r.tags = {"identity"};
  r.handler = std::move(h);
  add_operation(router, std::move(r), std::move(op), "kernel");
}

std::vector<std::pair<std::string, std::string>> identity_scopes() {
  return {{"members:read", "list the members and invitations of the tenant"},
          {"members:manage", "invite members, change roles, remove members"},
          {"tenant:manage", "ownership-level changes to the tenant"},
          {"tenants:create", "create new tenants (the caller owns them)"}};
}

json::value issue_credential(sdk::CredentialIssuer* issuer, soci::session& tx, const std::string& tenant_id,
                             const std::string& user_id, const std::vector<std::string>& scopes, const std::string& name) {
  if (!issuer) return nullptr;
  auto c = issuer->issue(tx, tenant_id, user_id, scopes, name);
  return json::object{{"id", c.id}, {"key", c.secret}, {"key_prefix", c.prefix}};
}

void register_identity_routes(Router& router, IdentityStore& identity, sdk::Database& db, IssuerLookup issuer) {
  // No database: everything comes from the principal resolved before the handler.
  add_identity_route(router, "GET", "/v1/me", "", sdk::AuthMode::required, false, identity_ops::me_get(),
      [](const sdk::Request& req) {
        const auto& p = req.caller();
        json::object out{{"tenant_id", p.tenant_id},
                         {"user_id", p.user_id.empty() ? json::value(nullptr) : json::value(p.user_id)},
                         {"role", p.role.empty() ? json::value(nullptr) : json::value(p.role)},
                         {"scopes", to_json(p.scopes)},
                         {"credential", {{"type", p.credential_type}, {"id", p.credential_id}}},
                         {"legacy_mode", p.legacy_mode}};
        if (!p.project_id.empty()) out["project_id"] = p.project_id;
        return sdk::Response::data(out);
      });

  add_identity_route(router, "POST", "/v1/tenants", "tenants:create", sdk::AuthMode::required, true,
      identity_ops::tenants_create(),
      [&identity, &db, issuer](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        std::string name(body.at("name").as_string());  // the schema: 1 to 200 characters
        // The new tenant's key holds no more than the credential that asked.
        std::vector<std::string> scopes;
        for (const auto& s : identity.role_scopes("owner"))
          if (caller.has_scope(s)) scopes.push_back(s);
        json::object out;
        db.transaction([&](soci::session& tx) {
          db.lock_in_transaction(tx, "ambit.tenants-of:" + caller.user_id);
          int created = 0;
          tx << "SELECT COUNT(*) FROM ambit_tenants WHERE created_by = :u", soci::use(caller.user_id),
              soci::into(created);
          const int cap = identity.config().max_tenants_per_user;
          if (created >= cap)
            throw sdk::ApiError(403, "TENANT_LIMIT_REACHED",
                                "you have created " + std::to_string(created) + " tenants, the most allowed",
                                {{"limit", cap}});
          auto tenant = identity.create_tenant(tx, name);
          tx << "UPDATE ambit_tenants SET created_by = :u WHERE id = :t", soci::use(caller.user_id),
              soci::use(tenant.id);
          identity.add_member(tx, tenant.id, caller.user_id, "owner");
          out = {{"tenant", {{"id", tenant.id}, {"name", tenant.name}, {"created_at", sdk::format_time(tenant.created_at)}}},
                 {"role", "owner"},
                 {"api_key", issue_credential(issuer(), tx, tenant.id, caller.user_id, scopes, "owner key for " + name)}};
        });
        return sdk::Response::data(out, 201);
      });

  add_identity_route(router, "GET", "/v1/users", "members:read", sdk::AuthMode::required, true, identity_ops::users_list(),
      [&identity](const sdk::Request& req) {
        auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
        auto found = sdk::finish_page(page, identity.members_page(req.caller().tenant_id, page.after, page.fetch()),
                                      [](const sdk::Member& m) { return sdk::TimeIdKey{m.created_at, m.email}; });
        json::array list;
        for (auto& m : found.items) list.push_back(member_json(m));
        return sdk::paged_data(std::move(list), found.next_cursor);
      });

  add_identity_route(router, "PATCH", "/v1/users/:userId", "members:manage", sdk::AuthMode::required, true,
      identity_ops::users_update(),
      [&identity, &db](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        const std::string& user_id = req.param("userId");
        json::object out;
        db.transaction([&](soci::session& tx) {
          auto current = identity.member(caller.tenant_id, user_id);
          if (!current) throw sdk::ApiError::not_found("no such member");
          if (!body.contains("role")) {
            out = member_json(*current);
            return;
          }
          std::string role(body.at("role").as_string());  // the schema: one of the four roles
          identity.check_role_grant(caller, role);
          identity.check_role_ceiling(caller, current->role);  // cannot demote someone above you
          if (current->role == "owner" && role != "owner" && count_owners_locked(db, tx, caller.tenant_id) <= 1)
            throw sdk::ApiError::conflict("LAST_OWNER", "a tenant keeps at least one owner");
          identity.set_role(tx, caller.tenant_id, user_id, role);
          current->role = role;
          out = member_json(*current);
        });
        return sdk::Response::data(out);
      });

  add_identity_route(router, "DELETE", "/v1/users/:userId", "members:manage", sdk::AuthMode::required, true,
      identity_ops::users_delete(),
      [&identity, &db](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        const std::string& user_id = req.param("userId");
        db.transaction([&](soci::session& tx) {
          auto current = identity.member(caller.tenant_id, user_id);
          if (!current) throw sdk::ApiError::not_found("no such member");
          identity.check_role_ceiling(caller, current->role);
          if (current->role == "owner" && count_owners_locked(db, tx, caller.tenant_id) <= 1)
            throw sdk::ApiError::conflict("LAST_OWNER", "a tenant keeps at least one owner");
          identity.remove_member(tx, caller.tenant_id, user_id);
        });
        return sdk::Response::empty(204);
      });
}

}  // namespace ambit::kernel
