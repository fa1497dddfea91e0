#include "issuer.hpp"

#include <algorithm>

#include "ambit/sdk/tokens.hpp"
#include "key_format.hpp"

namespace apikey {


Minted mint_key(ambit::sdk::Context& ctx, Store& store, soci::session& tx, MintRequest r) {
  Minted m;
  m.key = generate_key(ctx.keyring(), r.environment);
  KeyRecord& k = m.record;
  k.id = ambit::sdk::random_id(ctx.keyring(), "key_");
  k.tenant_id = std::move(r.tenant_id);
  k.user_id = std::move(r.user_id);
  k.name = std::move(r.name);
  k.key_prefix = display_prefix(m.key);
  k.scopes = std::move(r.scopes);
  std::sort(k.scopes.begin(), k.scopes.end());
  k.scopes.erase(std::unique(k.scopes.begin(), k.scopes.end()), k.scopes.end());
  k.scope_mode = std::move(r.scope_mode);
  k.environment = std::move(r.environment);
  k.created_at = ctx.clock().now_ms();
  k.expires_at = r.expires_at;
  store.insert(tx, k, hash_key(ctx.keyring(), m.key));
  return m;
}

ambit::sdk::IssuedCredential Issuer::issue(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                                           const std::vector<std::string>& scopes, const std::string& name) {
  auto m = mint_key(ctx_, store_, tx, MintRequest{tenant_id, user_id, name, scopes, "live", "strict", std::nullopt});
  return {m.record.id, m.key, m.record.key_prefix};
}

}  // namespace apikey
