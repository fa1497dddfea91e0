#pragma once
// Authenticators turn a request's credential into a Principal.
//
// The kernel reads one credential per request: `Authorization: Bearer <token>`
// wins over `X-API-Key: <token>`. It asks each registered authenticator, in
// registration order, whether it `claims` the token (by prefix, typically);
// the first that claims it decides. Authentication returns results, never
// throws for a bad credential.

#include <optional>
#include <string>
#include <string_view>

#include "ambit/sdk/http.hpp"
#include "ambit/sdk/principal.hpp"

namespace ambit::sdk {
inline namespace v1 {

struct AuthResult {
  std::optional<Principal> principal;  ///< set on success
  /// On failure, the reason given to the client in details.reason:
  /// "malformed", "unknown", "revoked", "expired", ...
  std::string reason;

  static AuthResult ok(Principal p) { return {std::move(p), {}}; }
  static AuthResult rejected(std::string why) { return {std::nullopt, std::move(why)}; }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// Cheap, no I/O: is this token of my kind (e.g. starts with "ak_")?
  virtual bool claims(std::string_view token) const = 0;
  /// Verify the token. May block on a cache miss; runs on a worker thread.
  /// Must be thread-safe.
  virtual AuthResult authenticate(std::string_view token) = 0;
  /// The same answer from memory only, or nullopt when that would need I/O.
  /// Lets non-blocking routes (hot paths) stay on the I/O thread.
  virtual std::optional<AuthResult> authenticate_cached(std::string_view) { return std::nullopt; }
};

/// The credential a request presents, read as the kernel reads it (SDK 1.8):
/// `Authorization: Bearer <token>` wins over `X-API-Key: <token>`. For
/// responses that outlive their request (streams) and authenticate the same
/// token again later with Context::authenticate.
struct PresentedCredential {
  bool present = false;    ///< either header is there (the token may still be empty)
  bool malformed = false;  ///< Authorization is not "Bearer <token>"
  std::string_view token;  ///< valid while the request is
};

inline PresentedCredential presented_credential(const Request& req) {
  PresentedCredential c;
  if (auto auth = req.header("Authorization")) {
    c.present = true;
    constexpr std::string_view bearer = "bearer ";
    bool is_bearer = auth->size() > bearer.size();
    for (std::size_t i = 0; is_bearer && i < bearer.size(); ++i)
      is_bearer = ((*auth)[i] | 0x20) == bearer[i];  // ASCII case-insensitive
    if (!is_bearer) {
      c.malformed = true;
      return c;
    }
    c.token = auth->substr(bearer.size());
    while (!c.token.empty() && c.token.front() == ' ') c.token.remove_prefix(1);
  } else if (auto key = req.header("X-API-Key")) {
    c.present = true;
    c.token = *key;
  }
  return c;
}

/// A credential a browser presents in a cookie: a first-party web app's
/// session (SDK 1.9; Context::add_cookie_credential). The kernel reads the
/// cookie only when the request has neither header above, and only for this
/// server's own pages:
///   * an `Origin` of another origin, or `Sec-Fetch-Site: cross-site` or
///     `same-site`, is refused (403 CSRF_REJECTED, reason "origin");
///   * an unsafe method (anything but GET, HEAD, OPTIONS) must carry both an
///     `Origin` of this server and `X-CSRF-Token` equal to
///     Context::csrf_token(cookie value) (403 CSRF_REJECTED, reason
///     "csrf_token").
/// A token that starts with `token_prefix` is accepted only from the cookie:
/// presented in a header it is 401 (reason "cookie_only"), so a copied
/// session cannot be replayed by a script. The token then goes through the
/// authenticators like any other: register one that claims the prefix.
/// The value of cookie `name` in the request's Cookie header (SDK 1.9), or
/// nullopt. Valid while the request is.
inline std::optional<std::string_view> cookie(const Request& req, std::string_view name) {
  auto header = req.header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

/// Whether a browser request comes from this server's own pages (SDK 1.9):
/// false when `Sec-Fetch-Site` says cross-site or same-site, or when
/// `Origin` is neither `public_url`'s origin nor, for a loopback Host
/// (localhost, 127.0.0.1, [::1]), this server as the request names it
/// (public_url's scheme with the Host header: http://localhost:8080 when
/// public_url says 127.0.0.1). Any other Host is not trusted: a rebound DNS
/// name would pass. Without `Origin`: `!require_origin` (browsers send it
/// on every unsafe request). For AuthMode::none routes that set a cookie
/// credential (a sign-in form).
inline bool from_own_origin(const Request& req, std::string_view public_url, bool require_origin) {
  auto iequal = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
  };
  if (auto site = req.header("Sec-Fetch-Site"); site && (iequal(*site, "cross-site") || iequal(*site, "same-site")))
    return false;
  auto origin = req.header("Origin");
  if (!origin) return !require_origin;
  auto scheme_end = public_url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view own = public_url.substr(0, public_url.find('/', scheme_end + 3));
  if (iequal(*origin, own)) return true;
  auto host = req.header("Host");
  if (!host) return false;
  std::string_view name = *host;
  if (name.starts_with("[")) {
    name = name.substr(0, name.find(']') + 1);
  } else {
    name = name.substr(0, name.find(':'));
  }
  if (!iequal(name, "localhost") && name != "127.0.0.1" && name != "[::1]") return false;
  std::string_view scheme = public_url.substr(0, scheme_end + 3);
  return origin->size() == scheme.size() + host->size() && iequal(origin->substr(0, scheme.size()), scheme) &&
         iequal(origin->substr(scheme.size()), *host);
}

struct CookieCredential {
  std::string cookie;        ///< the cookie's name, e.g. "ambit_session"
  std::string token_prefix;  ///< non-empty, e.g. "ses_"
};

}  // namespace v1
}  // namespace ambit::sdk
