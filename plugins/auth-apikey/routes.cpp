#include "routes.hpp"

#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/time.hpp"
#include "issuer.hpp"
#include "key_cache.hpp"
#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace apikey {
namespace {

/// The public view of a key: never the key, never the hash.
json::object key_json(const KeyRecord& k, std::int64_t now) {
  json::array scopes;
  for (auto& s : k.scopes) scopes.push_back(json::string(s));
  bool revoked = k.revoked_at && *k.revoked_at <= now;
  return {{"id", k.id},
          {"key_prefix", k.key_prefix},
          {"name", k.name},
          {"user_id", k.user_id},
          {"scopes", scopes},
          {"scope_mode", k.scope_mode},
          {"environment", k.environment},
          {"is_test", k.environment == "test"},
          {"created_at", sdk::format_time(k.created_at)},
          {"last_used_at", sdk::format_time_or_null(k.last_used_at)},
          {"expires_at", sdk::format_time_or_null(k.expires_at)},
          {"revoked", revoked},
          {"revoked_at", sdk::format_time_or_null(k.revoked_at)},
          {"rotated_to", k.rotated_to.empty() ? json::value(nullptr) : json::value(k.rotated_to)}};
}

/// The creation view: the seed's fields plus the plaintext key, shown once.
json::object created_json(const Minted& m, std::int64_t now) {
  auto out = key_json(m.record, now);
  out["key"] = m.key;
  return out;
}

/// The body's scopes (their shape is the operation's schema), each one the catalog knows.
std::vector<std::string> parse_scopes(const json::object& body, sdk::Context& ctx) {
  std::vector<std::string> scopes;
  for (auto& s : body.at("scopes").as_array()) {
    std::string scope(s.as_string());
    if (!ctx.identity().scope_exists(scope))
      throw sdk::ApiError(400, "INVALID_INPUT", "unknown scope " + scope, {{"field", "scopes"}, {"unknown_scope", scope}});
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

const sdk::Principal& user_caller(const sdk::Request& req) {
  const auto& p = req.caller();
  if (p.user_id.empty()) throw sdk::ApiError(403, "forbidden", "API keys belong to users; use a user credential");
  return p;
}

/// Members see their own keys; members:manage sees every key of the tenant.
std::optional<KeyRecord> visible_key(Store& store, const sdk::Principal& caller, const std::string& id,
                                     soci::session* tx = nullptr) {
  auto k = store.find(caller.tenant_id, id, tx);
  if (!k || (k->user_id != caller.user_id && !caller.has_scope("members:manage"))) return std::nullopt;
  return k;
}

void add(sdk::Context& ctx, sdk::Operation op, std::string method, std::string path, std::string scope, sdk::Handler h) {
  sdk::RouteSpec r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.scope = std::move(scope);
  r.tags = {"api_keys"};
  r.handler = std::move(h);
  ctx.add_operation(std::move(r), std::move(op));
}

std::optional<std::int64_t> query_time(const sdk::Request& req, const char* name) {
  auto v = req.query(name);
  if (!v) return std::nullopt;
  auto t = sdk::parse_time(*v);
  if (!t) throw sdk::ApiError::invalid_input(std::string(name) + " must be an RFC 3339 time", name);
  return t;
}

}  // namespace

void register_routes(sdk::Context& ctx, const Config& config, Store& store) {
  add(ctx, operations::api_keys_create(), "POST", "/v1/api_keys", "keys:manage",
      [&ctx, &store](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        MintRequest m;
        m.tenant_id = caller.tenant_id;
        m.user_id = caller.user_id;
        m.name = std::string(body.at("name").as_string());
        m.scopes = parse_scopes(body, ctx);
        if (auto beyond = ctx.identity().scope_beyond(caller, m.scopes); !beyond.empty())
          throw sdk::ApiError(403, "forbidden", "you cannot grant a scope you do not hold: " + beyond,
                              {{"missing_scope", beyond}});
        if (auto* env = body.if_contains("environment")) m.environment = std::string(env->as_string());
        std::int64_t now = ctx.clock().now_ms();
        if (auto* exp = body.if_contains("expires_at"); exp && !exp->is_null()) {
          auto t = sdk::parse_time(exp->as_string());
          if (!t) throw sdk::ApiError::invalid_input("expires_at must be an RFC 3339 time", "expires_at");
          if (*t <= now) throw sdk::ApiError::invalid_input("expires_at must be in the future", "expires_at");
          m.expires_at = t;
        }
        Minted minted;
        ctx.database().transaction([&](soci::session& tx) { minted = mint_key(ctx, store, tx, m); });
        return sdk::Response::data(created_json(minted, now), 201);
      });

  add(ctx, operations::api_keys_list(), "GET", "/v1/api_keys", "keys:read",
      [&ctx, &store](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
        auto rows = store.list(caller.tenant_id, caller.has_scope("members:manage") ? "" : caller.user_id, page.after,
                               page.fetch());
        auto out = sdk::finish_page(page, std::move(rows),
                                    [](const KeyRecord& k) { return sdk::TimeIdKey{k.created_at, k.id}; });
        std::int64_t now = ctx.clock().now_ms();
        json::array list;
        for (auto& k : out.items) list.push_back(key_json(k, now));
        return sdk::paged_data(std::move(list), out.next_cursor);
      });

  add(ctx, operations::api_keys_get(), "GET", "/v1/api_keys/:id", "keys:read", [&ctx, &store](const sdk::Request& req) {
    auto k = visible_key(store, user_caller(req), req.param("id"));
    if (!k) throw sdk::ApiError::not_found("no such API key");
    return sdk::Response::data(key_json(*k, ctx.clock().now_ms()));
  });

  add(ctx, operations::api_keys_rotate(config), "POST", "/v1/api_keys/:id/rotate", "keys:manage",
      [&ctx, &store](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        auto body = req.json_object();
        std::int64_t grace_hours = 0;  // 0 to grace_max_hours: the operation's schema
        if (auto* g = body.if_contains("grace_period_hours")) grace_hours = g->to_number<std::int64_t>();
        std::int64_t now = ctx.clock().now_ms();
        Minted minted;
        std::string old_id = req.param("id");
        ctx.database().transaction([&](soci::session& tx) {
          auto old = visible_key(store, caller, old_id, &tx);
          if (!old) throw sdk::ApiError::not_found("no such API key");
          // Rotation hands out the replacement's secret: only to the key's owner.
          if (old->user_id != caller.user_id)
            throw sdk::ApiError(403, "forbidden", "only the key's owner can rotate it; revoke it instead",
                                {{"reason", "not_key_owner"}});
          if (old->revoked_at && *old->revoked_at <= now)
            throw sdk::ApiError::conflict("KEY_REVOKED", "this key is revoked; create a new one");
          if (old->expires_at && *old->expires_at <= now)
            throw sdk::ApiError::conflict("KEY_EXPIRED", "this key has expired; create a new one");
          if (!old->rotated_to.empty())
            throw sdk::ApiError::conflict("ALREADY_ROTATED", "this key was already rotated",
                                          {{"rotated_to", old->rotated_to}});
          // The replacement's secret goes to the caller: only when the caller
          // could have minted a key this broad itself.
          const auto& held = old->scope_mode == "legacy" ? ctx.identity().role_scopes(caller.role) : old->scopes;
          if (auto beyond = ctx.identity().scope_beyond(caller, held); !beyond.empty())
            throw sdk::ApiError(403, "forbidden", "rotating this key needs a credential holding its scopes; missing " + beyond,
                                {{"reason", "scope_above_caller"}, {"missing_scope", beyond}});
          minted = mint_key(ctx, store, tx,
                            MintRequest{old->tenant_id, old->user_id, old->name, old->scopes, old->environment,
                                        old->scope_mode, old->expires_at});
          store.revoke(tx, old->id, now + grace_hours * 3600 * 1000, minted.record.id);
          ctx.events().publish(tx, kKeyChangedTopic, old->id);
        });
        auto out = created_json(minted, now);
        out["rotated_from"] = old_id;
        out["previous_key_expires_at"] = sdk::format_time(now + grace_hours * 3600 * 1000);
        return sdk::Response::data(out, 201);
      });

  add(ctx, operations::api_keys_revoke(), "DELETE", "/v1/api_keys/:id", "keys:manage",
      [&ctx, &store](const sdk::Request& req) {
        const auto& caller = user_caller(req);
        const std::string& id = req.param("id");
        if (id == caller.credential_id && caller.credential_type == "api_key")
          throw sdk::ApiError::conflict("cannot_revoke_self",
                                        "you cannot revoke the key you are authenticating with; rotate it instead");
        std::int64_t now = ctx.clock().now_ms();
        ctx.database().transaction([&](soci::session& tx) {
          auto key = visible_key(store, caller, id, &tx);
          if (!key) throw sdk::ApiError::not_found("no such API key");
          if (key->user_id != caller.user_id) {
            // Another member's key: only up to the caller's own role.
            auto owner = ctx.identity().member(key->tenant_id, key->user_id);
            if (owner) ctx.identity().check_role_ceiling(caller, owner->role);
          }
          store.revoke(tx, id, now);
          ctx.events().publish(tx, kKeyChangedTopic, id);
        });
        return sdk::Response::empty(204);
      });

  add(ctx, operations::audit_records_list(), "GET", "/v1/audit", "audit:read", [&ctx](const sdk::Request& req) {
    sdk::AuditQuery q;
    q.tenant_id = req.caller().tenant_id;
    q.since = query_time(req, "since");
    q.until = query_time(req, "until");
    q.credential_id = req.query("credential_id").value_or("");
    q.user_id = req.query("user_id").value_or("");
    q.cursor = req.query("cursor").value_or("");
    if (auto s = req.query("status")) q.status = std::stoi(*s);  // an integer: the operation's schema
    // The shared limit rule; the cursor stays the audit log's own (it validates it).
    q.limit = sdk::parse_page_limit(req.query("limit"), {.default_limit = 50, .max_limit = 500});
    json::object more;
    if (auto route = req.query("route")) more["route"] = *route;
    auto page = ctx.audit().list(q, more);
    return sdk::paged_data(std::move(page.rows),
                           page.next_cursor.empty() ? std::nullopt : std::optional<std::string>(page.next_cursor));
  });
  ctx.add_cli_command({.operation = "audit_records.list", .words = "audit list"});
}

}  // namespace apikey
