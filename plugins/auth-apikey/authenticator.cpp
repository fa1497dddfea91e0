#include "authenticator.hpp"

#include "key_format.hpp"

namespace sdk = ambit::sdk;

namespace apikey {

bool KeyAuthenticator::claims(std::string_view token) const { return claims_key(token); }

sdk::AuthResult KeyAuthenticator::decide(const KeyKit::Entry& entry, std::int64_t now_ms) {
  const KeyRecord& k = entry.record;
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
    p.scopes = ctx_.identity().role_scopes(entry.role);
    p.legacy_mode = true;
  } else {
    p.scopes = entry.scopes;
  }
  kit_.mark_used(entry, k.id, now_ms);
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> KeyAuthenticator::authenticate_cached(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.cached(token, now, [&](const KeyKit::Entry& e) { return std::optional(decide(e, now)); });
}

sdk::AuthResult KeyAuthenticator::authenticate(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.verify(
      token, now, [&](const std::string& hash) { return store_.find_by_hash(hash); },
      [&](KeyKit::Entry& e) {
        const KeyRecord& k = e.record;
        sdk::stand(ctx_.identity(), e, k.tenant_id, k.user_id, k.created_at, k.scopes);
      },
      [&](const KeyKit::Entry& e) { return decide(e, now); });
}

}  // namespace apikey
