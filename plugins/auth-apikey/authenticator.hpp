#pragma once
// Verifies "ak_live_…" / "ak_test_…" keys into a Principal whose scopes are
// the key's scopes intersected with the owner's role defaults (strict), or the
// role defaults alone (legacy, audited with legacy_mode=true).

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/context.hpp"
#include "key_cache.hpp"
#include "store.hpp"

namespace apikey {

class KeyAuthenticator final : public ambit::sdk::Authenticator {
 public:
  KeyAuthenticator(ambit::sdk::Context& ctx, Store& store, KeyCache& cache) : ctx_(ctx), store_(store), cache_(cache) {}

  bool claims(std::string_view token) const override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;

  /// The decision for a known key at `now_ms` (pure: unit-testable with any time).
  static ambit::sdk::AuthResult evaluate(const CachedKey& entry, const std::vector<std::string>& role_scopes,
                                         std::int64_t now_ms);

 private:
  ambit::sdk::AuthResult decide(const CachedKey& entry, std::int64_t now_ms);

  ambit::sdk::Context& ctx_;
  Store& store_;
  KeyCache& cache_;
};

}  // namespace apikey
