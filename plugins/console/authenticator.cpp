#include "authenticator.hpp"

#include <algorithm>

#include "ambit/sdk/tokens.hpp"

namespace sdk = ambit::sdk;

namespace console {
namespace {

constexpr std::size_t kTokenChars = 43;

bool well_formed(std::string_view token) {
  return token.size() == std::string_view(kTokenPrefix).size() + kTokenChars && token.starts_with(kTokenPrefix) &&
         sdk::is_base62(token.substr(std::string_view(kTokenPrefix).size()));
}

}  // namespace

std::string new_session_token(sdk::Keyring& keyring) { return kTokenPrefix + sdk::random_base62(keyring, kTokenChars); }

bool SessionAuthenticator::claims(std::string_view token) const { return token.starts_with(kTokenPrefix); }

sdk::AuthResult SessionAuthenticator::decide(const SessionKit::Entry& entry, std::int64_t now_ms) {
  const SessionRecord& s = entry.record;
  if (s.ended_at) return sdk::AuthResult::rejected("revoked");
  // Sliding: the last request this process saw, or the last one any process wrote.
  std::int64_t last_seen = std::max(s.last_seen_at, entry.last_marked_ms.load(std::memory_order_relaxed));
  if (now_ms >= s.expires_at || now_ms - last_seen >= config_.idle_ttl.count())
    return sdk::AuthResult::rejected("expired");
  if (entry.role.empty()) return sdk::AuthResult::rejected("revoked");  // the membership ended
  sdk::Principal p;
  p.tenant_id = s.tenant_id;
  p.user_id = s.user_id;
  p.credential_type = "session";
  p.credential_id = s.id;
  p.role = entry.role;
  p.scopes = entry.scopes;
  kit_.mark_used(entry, s.id, now_ms);
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> SessionAuthenticator::authenticate_cached(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.cached(token, now, [&](const SessionKit::Entry& e) { return std::optional(decide(e, now)); });
}

sdk::AuthResult SessionAuthenticator::authenticate(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.verify(
      token, now, [&](const std::string& hash) { return store_.find_by_hash(hash); },
      [&](SessionKit::Entry& e) {
        // The role's default scopes, whatever the role is now (the seed's first-party token).
        e.role = ctx_.identity().standing_role(e.record.tenant_id, e.record.user_id, e.record.created_at);
        e.scopes.clear();
        if (!e.role.empty()) e.scopes = ctx_.identity().role_scopes(e.role);
      },
      [&](const SessionKit::Entry& e) { return decide(e, now); });
}

}  // namespace console
