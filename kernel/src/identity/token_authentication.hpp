#pragma once
// One credential token against the registered authenticators: the first that
// claims it decides. Shared by the dispatcher (every request) and
// sdk::Context::authenticate (a stream checking its credential again later).

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "ambit/sdk/auth.hpp"

namespace ambit::kernel {

using Authenticators = std::vector<std::shared_ptr<sdk::Authenticator>>;

/// The deciding authenticator's answer, rejected "unknown" when none claims
/// the token. `memory_only`: from caches only, nullopt when that would block.
std::optional<sdk::AuthResult> authenticate_token(const Authenticators& authenticators, std::string_view token,
                                                  bool memory_only);

}  // namespace ambit::kernel
