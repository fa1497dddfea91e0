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
#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/context.hpp"
#include "store.hpp"

namespace oauth {

/// Topic of every change that ends tokens; payload "grant:<id>",
/// "client:<id>" or "token:<hash>".
inline constexpr const char* kChangedTopic = "auth-oauth.changed";

struct CachedToken {
  TokenRecord token;
  /// The identity core's standing role for the grant: "" when the user left
  /// the tenant, or the membership began after the grant (added back).
  std::string role;
  std::vector<std::string> scopes;  ///< effective: the granted ones the role may hold
  std::string token_hash;
  std::int64_t loaded_at = 0;  ///< ms; re-read after kRecheckMs
};

/// The longest a cached token is trusted without reading the database again.
inline constexpr std::int64_t kRecheckMs = 60000;

class TokenAuthenticator final : public ambit::sdk::Authenticator {
 public:
  TokenAuthenticator(ambit::sdk::Context& ctx, Store& store, std::size_t max_entries);

  bool claims(std::string_view token) const override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;

  /// An event payload from kChangedTopic.
  void forget(std::string_view payload);
  void forget_member(std::string_view tenant_id, std::string_view user_id);
  void clear() { cache_.clear(); }

 private:
  ambit::sdk::AuthResult decide(const CachedToken& entry, std::int64_t now_ms) const;

  ambit::sdk::Context& ctx_;
  Store& store_;
  ambit::sdk::InvalidatingCache<CachedToken> cache_;
};

}  // namespace oauth
