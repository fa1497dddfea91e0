#pragma once
// Access tokens as credentials: the same principal as an API key (user,
// tenant, scopes = granted ∩ the user's role defaults), audited with
// credential type "oauth". A valid token is answered from memory; events
// drop what changed (a grant, a client, a token, a membership).
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
  std::vector<std::string> scopes;  ///< the token's, sorted
  std::string role;                 ///< "" when the user is no longer a member
  std::int64_t member_since = 0;    ///< the membership's start
  std::string token_hash;
};

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
