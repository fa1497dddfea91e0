// GET /oauth/authorize shows the sign-in page; POST /oauth/authorize takes
// the sign-in (step=login), then the consent (step=consent), and redirects
// back to the client with a code, or with an error (RFC 6749 4.1.2.1) when
// the redirect URI is valid and the client was authorized before. A request
// that cannot go back to the client, or of a client nobody ever authorized,
// gets an error page and never a redirect.
#include <boost/url.hpp>

#include <algorithm>

#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/tokens.hpp"
#include "credentials.hpp"
#include "operations.hpp"
#include "pages.hpp"
#include "protocol.hpp"
#include "registration.hpp"
#include "resource.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;

namespace oauth {
namespace {

constexpr const char* kCsrfCookie = "ambit_oauth_csrf";
const char* const kRequestFields[] = {"response_type", "client_id",      "redirect_uri",          "scope",
                                      "state",         "code_challenge", "code_challenge_method", "resource"};

/// An authorization request, checked.
struct Checked {
  std::optional<ClientRecord> client;  ///< null: error page
  std::string redirect_uri;            ///< valid whenever `client` is set
  std::vector<std::string> scopes;
  std::string resource;                ///< RFC 8707, canonical; "" when the request named none
  std::string error, description;      ///< set: redirect back with the error
  std::string page_error;              ///< set: error page
};

Checked check_request(const Deps& d, const Form& f) {
  Checked c;
  std::string client_id = form_value(f, "client_id");
  if (client_id.empty()) return c.page_error = "The request names no client (client_id).", c;
  c.client = d.store.find_client(*d.ctx.database().session(), client_id);
  if (!c.client) return c.page_error = "This application is not registered, or it was revoked.", c;
  std::string uri = form_value(f, "redirect_uri");
  const auto& uris = c.client->redirect_uris;
  if (uri.empty() && uris.size() == 1) uri = uris.front();
  if (std::none_of(uris.begin(), uris.end(), [&](const std::string& r) { return redirect_matches(r, uri); })) {
    c.client.reset();
    return c.page_error = "The redirect URI is not one this application registered.", c;
  }
  c.redirect_uri = uri;
  if (form_value(f, "response_type") != "code") {
    c.error = "unsupported_response_type";
    c.description = "response_type must be code";
    return c;
  }
  std::string method = form_value(f, "code_challenge_method");
  if (method != "S256" || !valid_code_challenge(form_value(f, "code_challenge"))) {
    c.error = "invalid_request";
    c.description = method == "plain" ? "code_challenge_method plain is not allowed; use S256"
                                      : "PKCE is required: code_challenge (43 base64url characters) with code_challenge_method S256";
    return c;
  }
  std::string scope = f.count("scope") ? form_value(f, "scope") : c.client->scope;
  c.scopes = split_scope(scope);
  auto allowed = split_scope(c.client->scope);
  for (auto& s : c.scopes) {
    bool permitted = allowed.empty() || std::find(allowed.begin(), allowed.end(), s) != allowed.end();
    if (!d.ctx.identity().scope_exists(s) || !permitted) {
      c.error = "invalid_scope";
      c.description = "unknown or not permitted scope: " + s;
      return c;
    }
  }
  if (c.scopes.empty()) {
    c.error = "invalid_scope";
    c.description = "scope is required";
    return c;
  }
  if (f.resources > 0) {  // RFC 8707 2: a resource of this server, or invalid_target
    auto canonical = f.resources == 1 ? canonical_resource(form_value(f, "resource"), d.ctx.public_url()) : std::nullopt;
    if (!canonical) {
      c.error = "invalid_target";
      c.description = f.resources > 1 ? "name one resource only" : resource_rule(d.ctx.public_url());
      return c;
    }
    c.resource = *canonical;
  }
  return c;
}

PageClient page_client(const Checked& c) {
  auto u = boost::urls::parse_absolute_uri(c.redirect_uri);
  std::string host(u->encoded_host());
  std::string origin = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
  return {c.client->name, host, origin, c.resource};
}

sdk::Response back_to_client(const Deps& d, const Checked& c, const Form& f,
                             std::vector<std::pair<std::string, std::string>> params) {
  if (f.count("state")) params.emplace_back("state", form_value(f, "state"));
  params.emplace_back("iss", d.ctx.public_url());  // RFC 9207
  return redirect(c.redirect_uri, params);
}

/// A request error, before anyone signed in. Only a client some user has
/// authorized gets it as a redirect (RFC 6749 4.1.2.1): anyone can register
/// a client with an https URI of their choosing, and a redirect nobody
/// approved would make this server an open redirector (RFC 9700 4.11.2).
sdk::Response request_error(const Deps& d, const Checked& c, const Form& f) {
  if (!c.client->authorized_at)
    return error_page(400, "Invalid request", "The application sent an invalid request: " + c.description + ".");
  return back_to_client(d, c, f, {{"error", c.error}, {"error_description", c.description}});
}

/// The cookie's value when it is well formed.
std::string csrf_cookie(const sdk::Request& req) {
  auto value = sdk::cookie(req, kCsrfCookie);
  return value && value->size() == 43 && sdk::is_base62(*value) ? std::string(*value) : std::string();
}

Fields request_fields(const Form& f, const std::string& csrf) {
  Fields hidden;
  for (const char* name : kRequestFields)
    if (f.count(name)) hidden.emplace_back(name, form_value(f, name));
  hidden.emplace_back("csrf_token", csrf);
  return hidden;
}

/// A signed, short-lived proof that the user signed in for this very request.
std::string login_ticket(const Deps& d, const std::string& user_id, std::int64_t expires, const Form& f,
                         const std::string& csrf) {
  std::string payload = user_id + "." + std::to_string(expires);
  std::string bound = "login\n" + payload + "\n" + form_value(f, "client_id") + "\n" + form_value(f, "redirect_uri") +
                      "\n" + form_value(f, "code_challenge") + "\n" + form_value(f, "scope") + "\n" + csrf;
  // After the CSRF token (base62, no newline), so that a request without one binds what it did before.
  if (f.resources > 0) bound += "\n" + form_value(f, "resource");
  return payload + "." + d.ctx.keyring().mac(kPurpose, bound);
}

/// The user id of a valid ticket, or "".
std::string ticket_user(const Deps& d, const std::string& ticket, const Form& f, const std::string& csrf) {
  auto first = ticket.find('.');
  auto second = ticket.find('.', first == std::string::npos ? first : first + 1);
  if (first == std::string::npos || second == std::string::npos) return {};
  std::string user_id = ticket.substr(0, first);
  std::int64_t expires = 0;
  try {
    expires = std::stoll(ticket.substr(first + 1, second - first - 1));
  } catch (const std::exception&) {
    return {};
  }
  if (expires <= d.ctx.clock().now_ms()) return {};
  if (!sdk::constant_time_equal(login_ticket(d, user_id, expires, f, csrf), ticket)) return {};
  return user_id;
}

sdk::Response consent(const Deps& d, const Checked& c, const Form& f, const std::string& csrf,
                      const std::string& user_id, const std::string& email) {
  std::vector<std::pair<std::string, std::string>> workspaces;
  for (auto& m : d.ctx.identity().memberships(user_id)) {
    if (!c.client->tenant_id.empty() && m.tenant_id != c.client->tenant_id) continue;  // a bound client stays home
    auto tenant = d.ctx.identity().tenant(m.tenant_id);
    workspaces.emplace_back(m.tenant_id, tenant ? tenant->name : m.tenant_id);
  }
  if (workspaces.empty())
    return error_page(403, "No workspace", c.client->tenant_id.empty()
                                               ? "Your account is not a member of any workspace."
                                               : "This application belongs to a workspace you are not a member of.");
  Fields hidden = request_fields(f, csrf);
  auto expires = d.ctx.clock().now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(d.config.login_ttl).count();
  hidden.emplace_back("login_ticket", login_ticket(d, user_id, expires, f, csrf));
  return consent_page(page_client(c), c.scopes, hidden, email, workspaces);
}

/// The sign-in page, with what went wrong the last time (if anything).
sdk::Response sign_in_page(const Checked& c, const Form& f, const std::string& csrf, const std::string& error,
                            int status) {
  return login_page(page_client(c), c.scopes, request_fields(f, csrf), error, status);
}

sdk::Response sign_in(const Deps& d, const sdk::Request& req, const Checked& c, const Form& f, const std::string& csrf) {
  // The identity core budgets attempts per account and per address, and
  // answers an unknown email in the time of a known one.
  auto attempt = d.ctx.identity().sign_in(form_value(f, "email"), form_value(f, "password"), req.remote_address);
  if (attempt.retry_after_s > 0) {
    std::string wait = std::to_string(attempt.retry_after_s);
    return sign_in_page(c, f, csrf, "Too many sign-in attempts. Wait " + wait + " seconds and try again.", 429)
        .with_header("Retry-After", wait);
  }
  if (!attempt.user) return sign_in_page(c, f, csrf, "Wrong email or password.", 400);
  return consent(d, c, f, csrf, attempt.user->id, attempt.user->email);
}

sdk::Response decide(const Deps& d, const Checked& c, const Form& f, const std::string& csrf) {
  std::string user_id = ticket_user(d, form_value(f, "login_ticket"), f, csrf);
  if (user_id.empty())
    return sign_in_page(c, f, csrf, "Your sign-in expired. Sign in again.", 400);
  if (form_value(f, "decision") != "approve")
    return back_to_client(d, c, f, {{"error", "access_denied"}, {"error_description", "the user denied the request"}});
  std::string tenant_id = form_value(f, "tenant_id");
  bool elsewhere = !c.client->tenant_id.empty() && tenant_id != c.client->tenant_id;
  std::int64_t now = d.ctx.clock().now_ms();
  if (elsewhere || d.ctx.identity().standing_role(tenant_id, user_id, now).empty())
    return error_page(403, "Not a member", "You are not a member of that workspace.");
  std::string code = new_secret(d.ctx.keyring(), kCodePrefix);
  GrantRecord grant{new_id(d.ctx.keyring(), "ogr_"), c.client->id, tenant_id, user_id, join_scope(c.scopes), now,
                    c.resource};
  CodeRecord record{grant.id, c.client->id, c.redirect_uri, form_value(f, "code_challenge"),
                    now + std::chrono::duration_cast<std::chrono::milliseconds>(d.config.code_ttl).count(), {}};
  d.ctx.database().transaction([&](soci::session& tx) {
    d.store.insert_grant(tx, grant);
    d.store.mark_authorized(tx, c.client->id, now);
    d.store.insert_code(tx, secret_hash(d.ctx.keyring(), code), record);
  });
  return back_to_client(d, c, f, {{"code", code}});
}

}  // namespace

void register_authorize_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, "/oauth", {"oauth"}};
  sdk::RouteSpec show;
  show.method = "GET";
  show.path = "/authorize";
  show.auth = sdk::AuthMode::none;
  show.handler = [d](const sdk::Request& req) {
    auto f = query_form(req, true);
    if (!f) return error_page(400, "Invalid request", "A parameter is repeated.");
    Checked c = check_request(d, *f);
    if (!c.client) return error_page(400, "Invalid request", c.page_error);
    if (!c.error.empty()) return request_error(d, c, *f);
    // One token per browser (Lax: sent on the arrival from the client's
    // site, so flows in two tabs share it); each page renews its lifetime.
    std::string csrf = csrf_cookie(req);
    if (csrf.empty()) csrf = sdk::random_base62(d.ctx.keyring(), 43);
    bool secure = d.ctx.public_url().rfind("https://", 0) == 0;
    return sign_in_page(c, *f, csrf, "", 200)
        .with_header("Set-Cookie", std::string(kCsrfCookie) + "=" + csrf +
                                       "; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=3600" + (secure ? "; Secure" : ""));
  };
  api.operation(operations::oauth_authorizations_show(), std::move(show), "AUTHORIZE_FAILED");

  sdk::RouteSpec submit;
  submit.method = "POST";
  submit.path = "/authorize";
  submit.auth = sdk::AuthMode::none;
  submit.handler = [d](const sdk::Request& req) {
    auto f = parse_form(req.body, true);
    if (!f) return error_page(400, "Invalid request", "The form is malformed.");
    // Double-submit: the form's token must equal the cookie set with the page.
    std::string csrf = csrf_cookie(req);
    if (csrf.empty() || !sdk::constant_time_equal(csrf, form_value(*f, "csrf_token")))
      return error_page(403, "Request expired", "The form could not be verified. Go back to the application and start again.");
    Checked c = check_request(d, *f);
    if (!c.client) return error_page(400, "Invalid request", c.page_error);
    if (!c.error.empty()) return request_error(d, c, *f);
    std::string step = form_value(*f, "step");
    if (step == "login") return sign_in(d, req, c, *f, csrf);
    if (step == "consent") return decide(d, c, *f, csrf);
    return error_page(400, "Invalid request", "Unknown step.");
  };
  api.operation(operations::oauth_authorizations_submit(), std::move(submit), "AUTHORIZE_FAILED");
}

}  // namespace oauth
