#pragma once
// Service "token-audience" version 1 (SDK 1.5): tells which resource a
// bearer token was issued for (RFC 8707 resource indicators), so a resource
// that must only accept its own tokens (the MCP server) can refuse the
// others. Provided by a plugin whose tokens can be bound to a resource
// (auth-oauth).
//
//   auto audiences = ctx.service<sdk::TokenAudience>("token-audience", 1);

#include <optional>
#include <string>

#include "ambit/sdk/principal.hpp"

namespace ambit::sdk {
inline namespace v1 {

class TokenAudience {
 public:
  virtual ~TokenAudience() = default;
  /// The resource (an absolute URI) `caller`'s credential was issued for;
  /// "" when it was issued for no particular resource; nullopt when this
  /// provider does not issue `caller`'s credential type. Fast (cached):
  /// called on every request of a resource that checks audiences.
  virtual std::optional<std::string> audience(const Principal& caller) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
