// POST /oauth/token (authorization_code with PKCE, refresh_token with
// rotation, a short grace for one reuse and reuse detection, both with the
// RFC 8707 resource parameter), POST /oauth/revoke (RFC 7009) and
// POST /oauth/introspect (RFC 7662, confidential clients). Errors are RFC
// 6749 5.2 bodies; every answer is Cache-Control: no-store.
#include <boost/algorithm/string/predicate.hpp>
#include <botan/base64.h>

#include "ambit/sdk/routes.hpp"
#include "credentials.hpp"
#include "operations.hpp"
#include "protocol.hpp"
#include "resource.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth {
namespace {

/// The calling client, authenticated as it registered (RFC 6749 2.3), or the error to answer.
struct Caller {
  std::optional<ClientRecord> client;
  std::optional<sdk::Response> error;
};

Caller authenticate_client(const Deps& d, const sdk::Request& req, const Form& f) {
  std::string id = form_value(f, "client_id"), secret = form_value(f, "client_secret");
  bool basic = false;
  auto fail = [&basic](const std::string& why) {
    auto r = oauth_error(401, "invalid_client", why);
    if (basic) r.with_header("WWW-Authenticate", "Basic realm=\"oauth\"");
    return Caller{std::nullopt, std::move(r)};
  };
  auto auth = req.header("Authorization");
  if (auth && auth->size() > 6 && boost::algorithm::iequals(auth->substr(0, 6), "Basic ")) {
    basic = true;
    std::string decoded;
    try {
      auto raw = Botan::base64_decode(std::string(auth->substr(6)));
      decoded.assign(raw.begin(), raw.end());
    } catch (const std::exception&) {
    }
    auto colon = decoded.find(':');
    if (colon == std::string::npos) return fail("malformed Basic credentials");
    // RFC 6749 2.3.1: both halves are form-urlencoded.
    auto halves = parse_form("id=" + decoded.substr(0, colon) + "&secret=" + decoded.substr(colon + 1));
    if (!halves) return fail("malformed Basic credentials");
    std::string basic_id = form_value(*halves, "id");
    if (!id.empty() && id != basic_id) return {std::nullopt, oauth_error(400, "invalid_request", "client_id differs from the Basic credentials")};
    id = basic_id;
    secret = form_value(*halves, "secret");
  }
  if (id.empty()) return fail("client authentication failed: no client_id");
  auto client = d.store.find_client(*d.ctx.database().session(), id);
  if (!client) return fail("client authentication failed");
  if (!client->confidential()) {
    if (basic || !secret.empty()) return fail("a public client has no secret");
    return {client, std::nullopt};
  }
  bool right_method = basic ? client->auth_method == "client_secret_basic" : client->auth_method == "client_secret_post";
  if (!right_method || !has_secret_shape(secret, kSecretPrefix) ||
      !sdk::constant_time_equal(secret_hash(d.ctx.keyring(), secret), client->secret_hash))
    return fail("client authentication failed");
  return {client, std::nullopt};
}

bool grant_type_allowed(const ClientRecord& c, const std::string& type) {
  return std::find(c.grant_types.begin(), c.grant_types.end(), type) != c.grant_types.end();
}

/// A new access token, and a refresh token when the client registered for
/// them, in `grant`, in the caller's transaction.
json::object issue_tokens(const Deps& d, soci::session& tx, const std::string& grant_id, const ClientRecord& client,
                          const std::string& scope) {
  std::int64_t now = d.ctx.clock().now_ms();
  auto record = [&](const char* kind, std::optional<std::int64_t> expires_at) {
    TokenRecord t;
    t.kind = kind;
    t.grant_id = grant_id;
    t.client_id = client.id;
    t.scope = scope;
    t.created_at = now;
    t.expires_at = expires_at;
    return t;
  };
  std::string access = new_secret(d.ctx.keyring(), kAccessPrefix);
  auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.config.access_ttl).count();
  d.store.insert_token(tx, secret_hash(d.ctx.keyring(), access), record("access", now + ttl_ms));
  d.store.touch_client(tx, client.id, now);
  json::object out{{"access_token", access}, {"token_type", "Bearer"}, {"expires_in", d.config.access_ttl.count()}};
  if (grant_type_allowed(client, "refresh_token")) {
    std::string refresh = new_secret(d.ctx.keyring(), kRefreshPrefix);
    d.store.insert_token(tx, secret_hash(d.ctx.keyring(), refresh), record("refresh", std::nullopt));
    out["refresh_token"] = refresh;
  }
  out["scope"] = scope;
  return out;
}

/// The grant still stands: its user is a member of its tenant, with the
/// membership the grant was made in (the identity core's rule).
bool grant_stands(const Deps& d, const TokenRecord& t) {
  return !d.ctx.identity().standing_role(t.tenant_id, t.user_id, t.grant_created_at).empty();
}

/// What a token request's transaction decided: tokens, or an error (after
/// committing any revocation the error implies).
struct Outcome {
  json::object tokens;
  std::string error, description;
};

/// The resource a token request names (RFC 8707), canonical; "" when it
/// names none. Or the invalid_target to answer: several resources, or one
/// that is not this server's.
struct NamedResource {
  std::string resource;
  std::optional<Outcome> error;
};

NamedResource named_resource(const Deps& d, const Form& f) {
  if (f.resources == 0) return {};
  if (f.resources > 1) return {{}, Outcome{{}, "invalid_target", "name one resource only"}};
  auto canonical = canonical_resource(form_value(f, "resource"), d.ctx.public_url());
  if (!canonical) return {{}, Outcome{{}, "invalid_target", resource_rule(d.ctx.public_url())}};
  return {*canonical, std::nullopt};
}

Outcome exchange_code(const Deps& d, const ClientRecord& client, const Form& f) {
  std::string code = form_value(f, "code"), verifier = form_value(f, "code_verifier");
  if (code.empty() || verifier.empty() || !f.count("redirect_uri"))
    return {{}, "invalid_request", "code, redirect_uri and code_verifier are required"};
  auto named = named_resource(d, f);  // refused before the code is touched
  if (named.error) return *named.error;
  Outcome out;
  d.ctx.database().transaction([&](soci::session& tx) {
    out = {};
    std::string hash = secret_hash(d.ctx.keyring(), code);
    auto record = has_secret_shape(code, kCodePrefix) ? d.store.find_code(tx, hash) : std::nullopt;
    if (!record) return void(out = {{}, "invalid_grant", "the code is unknown, expired or revoked"});
    if (record->client_id != client.id) return void(out = {{}, "invalid_grant", "the code was issued to another client"});
    std::int64_t now = d.ctx.clock().now_ms();
    if (!d.store.use_code(tx, hash, now)) {
      // A second use: someone else may hold the code. End everything issued from it (OAuth 2.1 4.1.3).
      revoke_grant(d.ctx, d.store, tx, record->grant_id);
      return void(out = {{}, "invalid_grant", "the code was used before; every token issued from it is revoked"});
    }
    if (record->expires_at <= now) return void(out = {{}, "invalid_grant", "the code expired"});
    if (record->redirect_uri != form_value(f, "redirect_uri"))
      return void(out = {{}, "invalid_grant", "redirect_uri differs from the authorization request"});
    if (!pkce_s256_matches(verifier, record->code_challenge))
      return void(out = {{}, "invalid_grant", "code_verifier does not match the code_challenge"});
    auto grant = d.store.find_grant(tx, record->grant_id);
    if (!grant) return void(out = {{}, "invalid_grant", "the authorization was revoked"});
    if (!named.resource.empty()) {
      // The resource authorized, or, when the authorization named none, this one from now on.
      if (grant->resource.empty()) d.store.bind_resource(tx, grant->id, named.resource);
      else if (grant->resource != named.resource)
        return void(out = {{}, "invalid_target", "resource differs from the one authorized"});
    }
    out.tokens = issue_tokens(d, tx, grant->id, client, grant->scope);
  });
  return out;
}

Outcome refresh(const Deps& d, const ClientRecord& client, const Form& f) {
  std::string token = form_value(f, "refresh_token");
  if (token.empty()) return {{}, "invalid_request", "refresh_token is required"};
  auto named = named_resource(d, f);
  if (named.error) return *named.error;
  // Membership is read before the transaction (it borrows a pooled session).
  std::string hash = secret_hash(d.ctx.keyring(), token);
  if (auto before = d.store.find_token(*d.ctx.database().session(), hash);
      before && before->kind == "refresh" && !grant_stands(d, *before)) {
    d.ctx.database().transaction([&](soci::session& tx) { revoke_grant(d.ctx, d.store, tx, before->grant_id); });
    return {{}, "invalid_grant", "the user is no longer a member of the workspace; the authorization is revoked"};
  }
  Outcome out;
  d.ctx.database().transaction([&](soci::session& tx) {
    out = {};
    auto record = has_secret_shape(token, kRefreshPrefix) ? d.store.find_token(tx, hash) : std::nullopt;
    if (!record || record->kind != "refresh") return void(out = {{}, "invalid_grant", "the refresh token is unknown or revoked"});
    if (record->client_id != client.id) return void(out = {{}, "invalid_grant", "the refresh token belongs to another client"});
    auto replayed = [&] {
      // A rotated token came back: it was stolen or replayed. End the whole grant.
      revoke_grant(d.ctx, d.store, tx, record->grant_id);
      out = {{}, "invalid_grant", "the refresh token was used before; the authorization is revoked"};
    };
    // Processes of one app sharing a refresh token may refresh at once: a
    // rotated token may come back once within the grace. A second reuse, or
    // one after the grace, is a copy elsewhere.
    std::int64_t now = d.ctx.clock().now_ms();
    std::int64_t grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.config.refresh_reuse_grace).count();
    bool in_grace = grace_ms > 0 && record->used_at && !record->reused_at && *record->used_at >= now - grace_ms;
    if (record->used_at && !in_grace) return replayed();
    std::string scope = record->scope;
    if (f.count("scope")) {  // narrowing only; a bad scope leaves the token usable
      auto granted = split_scope(record->scope), asked = split_scope(form_value(f, "scope"));
      for (auto& s : asked)
        if (std::find(granted.begin(), granted.end(), s) == granted.end())
          return void(out = {{}, "invalid_scope", "scope exceeds what was granted: " + s});
      scope = join_scope(asked);
    }
    // The grant's resource only (its tokens keep their audience); a wrong one leaves the token usable.
    if (!named.resource.empty() && named.resource != record->resource)
      return void(out = {{}, "invalid_target", "resource differs from the one authorized"});
    // Conditional UPDATEs: of concurrent refreshes with one token, one rotates
    // it, one more may take its grace, and any other finds both taken.
    if (!d.store.use_token(tx, hash, now)) {
      if (grace_ms <= 0 || !d.store.reuse_token(tx, hash, now, now - grace_ms)) return replayed();
      d.ctx.logger().info("rotated refresh token reused within its grace",
                          {{"grant_id", record->grant_id}, {"client_id", client.id}});
    }
    out.tokens = issue_tokens(d, tx, record->grant_id, client, scope);
  });
  return out;
}

}  // namespace

void register_token_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, "/oauth", {"oauth"}};
  auto spec = [](const char* path, sdk::Handler h) {
    sdk::RouteSpec r;
    r.method = "POST";
    r.path = path;
    r.auth = sdk::AuthMode::none;  // clients authenticate themselves (RFC 6749 2.3)
    r.handler = std::move(h);
    return r;
  };

  api.operation(operations::oauth_tokens_issue(), spec("/token", [d](const sdk::Request& req) {
                 auto f = parse_form(req.body, true);  // a repeated resource is invalid_target
                 if (!f) return oauth_error(400, "invalid_request", "the body must be a form without repeated parameters");
                 auto caller = authenticate_client(d, req, *f);
                 if (caller.error) return std::move(*caller.error);
                 std::string type = form_value(*f, "grant_type");
                 Outcome out;
                 if (type == "authorization_code" || type == "refresh_token") {
                   if (!grant_type_allowed(*caller.client, type))
                     return oauth_error(400, "unauthorized_client", "the client did not register grant type " + type);
                   out = type == "authorization_code" ? exchange_code(d, *caller.client, *f) : refresh(d, *caller.client, *f);
                 } else {
                   return oauth_error(400, type.empty() ? "invalid_request" : "unsupported_grant_type",
                                      type.empty() ? "grant_type is required" : "unsupported grant_type " + type);
                 }
                 if (!out.error.empty()) return oauth_error(400, out.error, out.description);
                 return no_store_json(out.tokens);
               }),
          "TOKEN_FAILED");

  api.operation(operations::oauth_tokens_revoke(), spec("/revoke", [d](const sdk::Request& req) {
                 auto f = parse_form(req.body);
                 if (!f) return oauth_error(400, "invalid_request", "the body must be a form without repeated parameters");
                 auto caller = authenticate_client(d, req, *f);
                 if (caller.error) return std::move(*caller.error);
                 std::string token = form_value(*f, "token");
                 if (token.empty()) return oauth_error(400, "invalid_request", "token is required");
                 std::string hash = secret_hash(d.ctx.keyring(), token);
                 d.ctx.database().transaction([&](soci::session& tx) {
                   auto record = d.store.find_token(tx, hash);
                   if (!record || record->client_id != caller.client->id) return;  // answered 200 all the same
                   if (record->kind == "refresh") return revoke_grant(d.ctx, d.store, tx, record->grant_id);
                   d.store.delete_token(tx, hash);
                   d.ctx.events().publish(tx, kChangedTopic, "token:" + hash);
                 });
                 return no_store_json(json::object{});
               }),
          "REVOKE_FAILED");

  api.operation(operations::oauth_tokens_introspect(), spec("/introspect", [d](const sdk::Request& req) {
                 auto f = parse_form(req.body);
                 if (!f) return oauth_error(400, "invalid_request", "the body must be a form without repeated parameters");
                 auto caller = authenticate_client(d, req, *f);
                 if (caller.error) return std::move(*caller.error);
                 if (!caller.client->confidential())
                   return oauth_error(401, "invalid_client", "introspection is for confidential clients");
                 std::string token = form_value(*f, "token");
                 auto record = token.empty() ? std::nullopt
                                             : d.store.find_token(*d.ctx.database().session(), secret_hash(d.ctx.keyring(), token));
                 std::int64_t now = d.ctx.clock().now_ms();
                 bool active = record && record->client_id == caller.client->id && grant_stands(d, *record) &&
                               (record->kind == "access" ? record->expires_at && *record->expires_at > now : !record->used_at);
                 if (!active) return no_store_json(json::object{{"active", false}});
                 json::object o{{"active", true},
                                {"scope", record->scope},
                                {"client_id", record->client_id},
                                {"sub", record->user_id},
                                {"tenant_id", record->tenant_id},
                                {"token_type", record->kind == "access" ? "Bearer" : "refresh_token"},
                                {"iat", record->created_at / 1000},
                                {"iss", d.ctx.public_url()}};
                 if (record->expires_at) o["exp"] = *record->expires_at / 1000;
                 if (!record->resource.empty()) o["aud"] = record->resource;  // RFC 7662 2.2, RFC 8707
                 return no_store_json(o);
               }),
          "INTROSPECT_FAILED");
}

}  // namespace oauth
