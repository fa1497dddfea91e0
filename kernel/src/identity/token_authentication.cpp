#include "identity/token_authentication.hpp"

#include <algorithm>

namespace ambit::kernel {

std::optional<sdk::AuthResult> authenticate_token(const Authenticators& authenticators, std::string_view token,
                                                  bool memory_only) {
  for (const auto& a : authenticators) {
    if (!a->claims(token)) continue;
    std::optional<sdk::AuthResult> result = memory_only ? a->authenticate_cached(token) : a->authenticate(token);
    if (result && result->principal) std::sort(result->principal->scopes.begin(), result->principal->scopes.end());
    if (result && !result->principal && result->reason.empty()) result->reason = "unknown";
    return result;
  }
  return sdk::AuthResult::rejected("unknown");
}

}  // namespace ambit::kernel
