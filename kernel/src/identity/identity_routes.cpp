#include "identity/identity_routes.hpp"

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/time.hpp"

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

std::string required_string(const json::object& body, const char* field) {
  auto* v = body.if_contains(field);
  if (!v || !v->is_string() || v->as_string().empty())
    throw sdk::ApiError::invalid_input(std::string(field) + " is required and must be a non-empty string", field);
  return std::string(v->as_string());
}

const sdk::Principal& user_caller(const sdk::Request& req) {
  const auto& p = req.caller();
  if (p.user_id.empty())
    throw sdk::ApiError(403, "forbidden", "this call needs a user credential", {{"reason", "not_a_user_credential"}});
  return p;
}

void add(Router& router, std::string method, std::string path, std::string scope, bool may_block, std::string summary,
         sdk::Handler h) {
  sdk::RouteSpec r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.scope = std::move(scope);
  r.may_block = may_block;
  r.summary = std::move(summary);
  r.tags = {"identity"};
  r.handler = std::move(h);
  router.add(std::move(r), "kernel");
}

/// A caller may grant or change roles only up to their own.
void check_role_grant(IdentityStore& identity, const sdk::Principal& caller, const std::string& role) {
  if (!identity.is_role(role)) throw sdk::ApiError::invalid_input("role must be viewer, editor, admin or owner", "role");
  if (ScopeCatalog::rank(role) > ScopeCatalog::rank(caller.role))
    throw sdk::ApiError(403, "forbidden", "you cannot grant a role above your own (" + caller.role + ")",
                        {{"reason", "role_above_caller"}});
}

int count_owners(soci::session& tx, const std::string& tenant_id) {
  int n = 0;
  tx << "SELECT COUNT(*) FROM ambit_memberships WHERE tenant_id = :t AND role = 'owner'", soci::use(tenant_id),
      soci::into(n);
  return n;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> identity_scopes() {
  return {{"members:read", "list the members of the tenant"},
          {"members:manage", "add members, change roles, remove members"},
          {"tenant:manage", "ownership-level changes to the tenant"}};
}

json::value issue_credential(sdk::CredentialIssuer* issuer, soci::session& tx, const std::string& tenant_id,
                             const std::string& user_id, const std::vector<std::string>& scopes, const std::string& name) {
  if (!issuer) return nullptr;
  auto c = issuer->issue(tx, tenant_id, user_id, scopes, name);
  return json::object{{"id", c.id}, {"key", c.secret}, {"key_prefix", c.prefix}};
}

void register_identity_routes(Router& router, IdentityStore& identity, sdk::Database& db, IssuerLookup issuer) {
  // No database: everything comes from the principal resolved before the handler.
  add(router, "GET", "/v1/me", "", false, "The calling credential, its user, tenant and effective scopes",
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

  add(router, "POST", "/v1/tenants", "", true, "Create a tenant; the caller becomes its owner",
      [&identity, &db, issuer](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        std::string name = required_string(body, "name");
        if (name.size() > 200) throw sdk::ApiError::invalid_input("name must be at most 200 characters", "name");
        json::object out;
        db.transaction([&](soci::session& tx) {
          auto tenant = identity.create_tenant(tx, name);
          identity.add_member(tx, tenant.id, caller.user_id, "owner");
          out = {{"tenant", {{"id", tenant.id}, {"name", tenant.name}, {"created_at", sdk::format_time(tenant.created_at)}}},
                 {"role", "owner"},
                 {"api_key", issue_credential(issuer(), tx, tenant.id, caller.user_id, identity.role_scopes("owner"),
                                              "owner key for " + name)}};
        });
        return sdk::Response::data(out, 201);
      });

  add(router, "GET", "/v1/users", "members:read", true, "List the members of the caller's tenant",
      [&identity](const sdk::Request& req) {
        json::array list;
        for (auto& m : identity.members(req.caller().tenant_id)) list.push_back(member_json(m));
        return sdk::Response::data(list);
      });

  add(router, "POST", "/v1/users", "members:manage", true, "Add a member; returns an initial API key once",
      [&identity, &db, issuer](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        std::string email = required_string(body, "email");
        std::string role = body.contains("role") ? required_string(body, "role") : "viewer";
        std::optional<std::string> password;
        if (auto* pw = body.if_contains("password")) {
          if (!pw->is_string()) throw sdk::ApiError::invalid_input("password must be a string", "password");
          password = std::string(pw->as_string());
        }
        const std::string normalized = normalize_email(email);
        if (normalized.empty()) throw sdk::ApiError::invalid_input("email is not a valid address", "email");
        check_role_grant(identity, caller, role);
        json::object out;
        db.transaction([&](soci::session& tx) {
          std::string user_id;
          tx << "SELECT id FROM ambit_users WHERE email = :e", soci::use(normalized), soci::into(user_id);
          if (!tx.got_data()) {
            user_id = identity.create_user(tx, normalized, password).id;
          } else if (password) {
            // Never reset an existing user's password from another tenant.
            throw sdk::ApiError(409, "EMAIL_TAKEN", "this user exists; add them without a password",
                                {{"field", "password"}});
          }
          auto m = identity.add_member(tx, caller.tenant_id, user_id, role);
          out = member_json(m);
          out["api_key"] = issue_credential(issuer(), tx, caller.tenant_id, user_id, identity.role_scopes(role),
                                            "initial key for " + m.email);
        });
        return sdk::Response::data(out, 201);
      });

  add(router, "PATCH", "/v1/users/:userId", "members:manage", true, "Change a member's role",
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
          std::string role = required_string(body, "role");
          check_role_grant(identity, caller, role);
          check_role_grant(identity, caller, current->role);  // cannot demote someone above you
          if (current->role == "owner" && role != "owner" && count_owners(tx, caller.tenant_id) <= 1)
            throw sdk::ApiError::conflict("LAST_OWNER", "a tenant keeps at least one owner");
          identity.set_role(tx, caller.tenant_id, user_id, role);
          current->role = role;
          out = member_json(*current);
        });
        return sdk::Response::data(out);
      });

  add(router, "DELETE", "/v1/users/:userId", "members:manage", true, "Remove a member; their keys stop at once",
      [&identity, &db](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        const std::string& user_id = req.param("userId");
        db.transaction([&](soci::session& tx) {
          auto current = identity.member(caller.tenant_id, user_id);
          if (!current) throw sdk::ApiError::not_found("no such member");
          check_role_grant(identity, caller, current->role);
          if (current->role == "owner" && count_owners(tx, caller.tenant_id) <= 1)
            throw sdk::ApiError::conflict("LAST_OWNER", "a tenant keeps at least one owner");
          identity.remove_member(tx, caller.tenant_id, user_id);
        });
        return sdk::Response::empty(204);
      });
}

}  // namespace ambit::kernel
