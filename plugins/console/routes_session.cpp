// POST /console/api/sign-in, GET /console/api/session,
// POST /console/api/session/workspace, POST /console/api/sign-out.
#include <boost/json.hpp>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/tokens.hpp"
#include "operations.hpp"
#include "routes.hpp"
#include "session_view.hpp"

namespace json = boost::json;
namespace sdk = ambit::sdk;

namespace console {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

class SessionRoutes {
 public:
  SessionRoutes(sdk::Context& ctx, const Config& config, Store& store, SessionKit& kit)
      : ctx_(ctx), config_(config), store_(store), kit_(kit) {}

  sdk::Response sign_in(const sdk::Request& req) {
    // A sign-in form posted from another site would sign the victim in as the attacker.
    if (!sdk::from_own_origin(req, ctx_.public_url(), true))
      throw sdk::ApiError(403, "CSRF_REJECTED", "sign in from this server's console page", {{"reason", "origin"}});
    auto body = req.json_object();
    std::string email(body.at("email").as_string());
    auto attempt = ctx_.identity().sign_in(email, std::string(body.at("password").as_string()), req.remote_address);
    if (attempt.retry_after_s > 0) {  // the identity core's answer, with the header a browser can read
      std::string wait = std::to_string(attempt.retry_after_s);
      return sdk::Response::json({{"error", {{"code", "too_many_requests"},
                                             {"message", "too many sign-in attempts; try again in " + wait + " s"},
                                             {"details", {{"retry_after", attempt.retry_after_s}}}}}},
                                 429)
          .with_header("Retry-After", wait);
    }
    if (!attempt.user) throw sdk::ApiError(401, "INVALID_CREDENTIALS", "the email or the password is wrong");
    auto memberships = ctx_.identity().memberships(attempt.user->id);
    if (memberships.empty()) throw sdk::ApiError(403, "NO_WORKSPACE", "this account is a member of no workspace");
    std::string tenant_id = memberships.front().tenant_id;
    if (auto* t = body.if_contains("tenant_id")) {
      tenant_id = std::string(t->as_string());
      require_member(attempt.user->id, tenant_id);
    }
    // A session id planted before sign-in is never kept: the token is always new,
    // and a real session the browser still held is ended.
    std::string planted;
    if (auto old = sdk::cookie(req, kCookie)) planted = std::string(*old);
    return open(tenant_id, attempt.user->id, planted);
  }

  sdk::Response get(const sdk::Request& req) {
    auto [record, token] = current(req);
    return sdk::Response::data(session_json(ctx_, config_, record, token)).with_header("Cache-Control", "no-store");
  }

  sdk::Response switch_workspace(const sdk::Request& req) {
    auto [record, token] = current(req);
    auto body = req.json_object();
    auto* t = body.if_contains("tenant_id");
    if (!t || !t->is_string() || t->as_string().empty() || t->as_string().size() > 64)
      throw sdk::ApiError::invalid_input("tenant_id is required: the workspace to open", "tenant_id");
    std::string tenant_id(t->as_string());
    require_member(record.user_id, tenant_id);
    return open(tenant_id, record.user_id, token);
  }

  sdk::Response sign_out(const sdk::Request& req) {
    auto [record, token] = current(req);
    ctx_.database().transaction([&](soci::session& tx) { end(tx, record.id); });
    return sdk::Response::empty(204).with_header("Set-Cookie", cleared_cookie(ctx_.public_url()));
  }

 private:
  /// The caller's session and its token: these routes serve the console's own cookie only.
  std::pair<SessionRecord, std::string> current(const sdk::Request& req) {
    const auto& caller = req.caller();
    auto token = sdk::cookie(req, kCookie);
    if (caller.credential_type != "session" || !token)
      throw sdk::ApiError(403, "NOT_A_SESSION", "only the console's session cookie can use this route");
    auto record = store_.find_by_hash(kit_.hash(*token));
    if (!record || record->id != caller.credential_id) throw sdk::ApiError(401, "unauthenticated", "the session ended");
    return {std::move(*record), std::string(*token)};
  }

  void require_member(const std::string& user_id, const std::string& tenant_id) {
    if (!ctx_.identity().member(tenant_id, user_id))
      throw sdk::ApiError(403, "NOT_A_MEMBER", "you are not a member of that workspace", {{"tenant_id", tenant_id}});
  }

  /// Ends `id` on every process: the event drops it from each one's cache.
  void end(soci::session& tx, const std::string& id) {
    if (store_.end(tx, id, ctx_.clock().now_ms())) ctx_.events().publish(tx, kSessionEndedTopic, id);
  }

  /// A new session for (tenant, user), replacing the one `old_token` names, if any.
  sdk::Response open(const std::string& tenant_id, const std::string& user_id, const std::string& old_token) {
    std::int64_t now = ctx_.clock().now_ms();
    SessionRecord s;
    s.id = sdk::random_id(ctx_.keyring(), "sn_");
    s.tenant_id = tenant_id;
    s.user_id = user_id;
    s.created_at = now;
    s.last_seen_at = now;
    s.expires_at = now + config_.max_age.count();
    std::string token = new_session_token(ctx_.keyring());
    std::optional<SessionRecord> old;
    if (!old_token.empty()) old = store_.find_by_hash(kit_.hash(old_token));
    ctx_.database().transaction([&](soci::session& tx) {
      if (old) end(tx, old->id);
      store_.insert(tx, s, kit_.hash(token));
      store_.purge_expired(tx, now - kDayMs);
    });
    return sdk::Response::data(session_json(ctx_, config_, s, token))
        .with_header("Set-Cookie", session_cookie(ctx_.public_url(), token))
        .with_header("Cache-Control", "no-store");
  }

  sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
  SessionKit& kit_;
};

}  // namespace

void register_session_routes(sdk::Context& ctx, const Config& config, Store& store, SessionKit& kit) {
  auto routes = std::make_shared<SessionRoutes>(ctx, config, store, kit);
  sdk::RouteGroup api{ctx, "/console/api", {"console"}};
  auto route = [](std::string method, std::string path, sdk::AuthMode auth, sdk::Handler handler) {
    sdk::RouteSpec r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.auth = auth;
    r.handler = std::move(handler);
    return r;
  };
  api.operation(sign_in_operation(),
                route("POST", "/sign-in", sdk::AuthMode::none, [routes](const sdk::Request& r) { return routes->sign_in(r); }),
                "SIGN_IN_FAILED");
  api.operation(session_operation(),
                route("GET", "/session", sdk::AuthMode::required, [routes](const sdk::Request& r) { return routes->get(r); }),
                "SESSION_FAILED");
  api.operation(switch_workspace_operation(),
                route("POST", "/session/workspace", sdk::AuthMode::required,
                      [routes](const sdk::Request& r) { return routes->switch_workspace(r); }),
                "SESSION_FAILED");
  api.operation(sign_out_operation(),
                route("POST", "/sign-out", sdk::AuthMode::required, [routes](const sdk::Request& r) { return routes->sign_out(r); }),
                "SIGN_OUT_FAILED");
}

}  // namespace console
