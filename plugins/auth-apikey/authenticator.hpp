#pragma once
// Verifies "ak_live_…" / "ak_test_…" keys into a Principal whose scopes are
// the key's effective scopes for its owner's standing role (strict), or the
// role defaults alone (legacy, audited with legacy_mode=true).

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/context.hpp"
#include "key_cache.hpp"
#include "store.hpp"

namespace apikey {

class KeyAuthenticator final : public ambit::sdk::Authenticator {
 public:
  KeyAuthenticator(ambit::sdk::Context& ctx, Store& store, KeyKit& kit) : ctx_(ctx), store_(store), kit_(kit) {}

  bool claims(std::string_view token) const override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;

 private:
  ambit::sdk::AuthResult decide(const KeyKit::Entry& entry, std::int64_t now_ms);

  ambit::sdk::Context& ctx_;
  Store& store_;
  KeyKit& kit_;
};

}  // namespace apikey
