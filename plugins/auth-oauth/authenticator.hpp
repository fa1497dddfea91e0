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
#include "ambit/sdk/token_audience.hpp"
#include "audience_cache.hpp"
#include "store.hpp"

namespace oauth {

/// Topic of every change that ends tokens; payload "grant:<id>",
/// "client:<id>" or "token:<hash>".
inline constexpr const char* kChangedTopic = "auth-oauth.changed";

/// The credential type of the principals of access tokens.
inline constexpr const char* kCredentialType = "oauth";

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
  void clear() {
    kit_.clear();
    audiences_.clear();
  }

  /// The audience of the grant a principal of this authenticator acts
  /// through ("" for none): from memory when this process verified one of
  /// its tokens, else from the database (and then remembered).
  std::string audience(const std::string& grant_id);

 private:
  ambit::sdk::AuthResult decide(const TokenKit::Entry& entry, std::int64_t now_ms) const;

  ambit::sdk::Context& ctx_;
  Store& store_;
  TokenKit kit_;
  mutable AudienceCache audiences_;  ///< refilled by decide() too: the service never reads on a hot path
};

/// Service "token-audience" version 1: the resource an access token was
/// issued for, by the principal the authenticator resolved it to.
class TokenAudienceService final : public ambit::sdk::TokenAudience {
 public:
  explicit TokenAudienceService(std::shared_ptr<TokenAuthenticator> tokens) : tokens_(std::move(tokens)) {}
  std::optional<std::string> audience(const ambit::sdk::Principal& caller) override;

 private:
  std::shared_ptr<TokenAuthenticator> tokens_;
};

}  // namespace oauth
