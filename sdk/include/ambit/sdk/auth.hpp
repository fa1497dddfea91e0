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

}  // namespace v1
}  // namespace ambit::sdk
