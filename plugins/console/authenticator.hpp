#pragma once
// Verifies console session tokens ("ses_…", presented only in the session
// cookie: the kernel refuses them in headers) into a Principal of type
// "session" with the user's role and that role's default scopes.

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/context.hpp"
#include "ambit/sdk/credential_kit.hpp"
#include "config.hpp"
#include "store.hpp"

namespace console {

inline constexpr const char* kCookie = "ambit_session";
inline constexpr const char* kTokenPrefix = "ses_";
/// Published (payload: the session id) when a session ends, so every process drops it at once.
inline constexpr const char* kSessionEndedTopic = "ambit.console.session_ended";

using SessionKit = ambit::sdk::CredentialKit<SessionRecord>;

/// A new session token: the prefix and 43 base62 characters (256 bits).
std::string new_session_token(ambit::sdk::Keyring& keyring);

class SessionAuthenticator final : public ambit::sdk::Authenticator {
 public:
  SessionAuthenticator(ambit::sdk::Context& ctx, const Config& config, Store& store, SessionKit& kit)
      : ctx_(ctx), config_(config), store_(store), kit_(kit) {}

  bool claims(std::string_view token) const override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;

 private:
  ambit::sdk::AuthResult decide(const SessionKit::Entry& entry, std::int64_t now_ms);

  ambit::sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
  SessionKit& kit_;
};

}  // namespace console
