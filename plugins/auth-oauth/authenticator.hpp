#pragma once
// Access tokens as credentials: the same principal as an API key (user,
// tenant, the identity core's effective scopes of the grant for the user's
// standing role), audited with
// credential type "oauth". A valid token is answered from memory; events
// drop what changed (a grant, a client, a token, a membership), and an entry
// is read again after a minute at most, for the changes no event reports
// (another process on SQLite, such as the operator's purge command).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/context.hpp"
#include "ambit/sdk/credential_kit.hpp"
#include "store.hpp"

namespace oauth {

/// Topic of every change that ends tokens; payload "grant:<id>",
/// "client:<id>" or "token:<hash>".
inline constexpr const char* kChangedTopic = "auth-oauth.changed";

/// The longest a cached token is trusted without reading the database again.
inline constexpr std::int64_t kRecheckMs = 60000;

using TokenKit = ambit::sdk::CredentialKit<TokenRecord>;

class TokenAuthenticator final : public ambit::sdk::Authenticator {
 public:
  TokenAuthenticator(ambit::sdk::Context& ctx, Store& store, std::size_t max_entries);

  bool claims(std::string_view token) const override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;

  /// An event payload from kChangedTopic.
  void forget(std::string_view payload);
  void forget_member(std::string_view tenant_id, std::string_view user_id);
  void clear() { kit_.clear(); }

 private:
  ambit::sdk::AuthResult decide(const TokenKit::Entry& entry, std::int64_t now_ms) const;

  ambit::sdk::Context& ctx_;
  Store& store_;
  TokenKit kit_;
};

}  // namespace oauth
