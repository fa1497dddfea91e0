#include "authenticator.hpp"

#include <algorithm>

#include "key_format.hpp"

namespace sdk = ambit::sdk;

namespace apikey {

using KeyEntries = sdk::InvalidatingCache<CachedKey>;

bool KeyAuthenticator::claims(std::string_view token) const { return claims_key(token); }

sdk::AuthResult KeyAuthenticator::evaluate(const CachedKey& entry, const std::vector<std::string>& role_scopes,
                                           std::int64_t now_ms) {
  const KeyRecord& k = entry.key;
  if (k.revoked_at && *k.revoked_at <= now_ms) return sdk::AuthResult::rejected("revoked");
  if (k.expires_at && *k.expires_at <= now_ms) return sdk::AuthResult::rejected("expired");
  if (entry.role.empty()) return sdk::AuthResult::rejected("revoked");  // see Identity::standing_role
  sdk::Principal p;
  p.tenant_id = k.tenant_id;
  p.user_id = k.user_id;
  p.credential_type = "api_key";
  p.credential_id = k.id;
  p.role = entry.role;
  if (k.scope_mode == "legacy") {
    p.scopes = role_scopes;
    p.legacy_mode = true;
  } else {
    p.scopes = entry.scopes;
  }
  return sdk::AuthResult::ok(std::move(p));
}

sdk::AuthResult KeyAuthenticator::decide(const CachedKey& entry, std::int64_t now_ms) {
  auto result = evaluate(entry, ctx_.identity().role_scopes(entry.role), now_ms);
  if (result.principal && now_ms - entry.last_marked_ms.load(std::memory_order_relaxed) >= 1000) {
    entry.last_marked_ms.store(now_ms, std::memory_order_relaxed);
    cache_.usage().mark(entry.key.id, now_ms);
  }
  return result;
}

std::optional<sdk::AuthResult> KeyAuthenticator::authenticate_cached(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  auto found = cache_.entries().find(hash_key(ctx_.keyring(), token), now);
  if (found.kind == KeyEntries::Kind::hit) return decide(*found.value, now);
  if (found.kind == KeyEntries::Kind::absent) return sdk::AuthResult::rejected("unknown");
  return std::nullopt;
}

sdk::AuthResult KeyAuthenticator::authenticate(std::string_view token) {
  if (auto cached = authenticate_cached(token)) return *cached;
  std::string hash = hash_key(ctx_.keyring(), token);
  std::uint64_t generation = cache_.entries().generation();
  std::int64_t now = ctx_.clock().now_ms();
  auto record = store_.find_by_hash(hash);
  if (!record) {
    cache_.entries().put_absent(hash, now, generation);
    return sdk::AuthResult::rejected("unknown");
  }
  auto entry = std::make_shared<CachedKey>();
  entry->key = std::move(*record);
  entry->role = ctx_.identity().standing_role(entry->key.tenant_id, entry->key.user_id, entry->key.created_at);
  entry->scopes = ctx_.identity().effective_scopes(entry->role, entry->key.scopes);
  cache_.entries().put(hash, entry, generation);
  return decide(*entry, now);
}

}  // namespace apikey
