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

}  // namespace v1
}  // namespace ambit::sdk
