#include "authenticator.hpp"

#include "credentials.hpp"
#include "protocol.hpp"

namespace sdk = ambit::sdk;

namespace oauth {

using Entries = sdk::InvalidatingCache<CachedToken>;

TokenAuthenticator::TokenAuthenticator(sdk::Context& ctx, Store& store, std::size_t max_entries)
    : ctx_(ctx), store_(store), cache_(max_entries, 30000) {}

bool TokenAuthenticator::claims(std::string_view token) const { return token.substr(0, kAccessPrefix.size()) == kAccessPrefix; }

sdk::AuthResult TokenAuthenticator::decide(const CachedToken& e, std::int64_t now_ms) const {
  if (e.token.expires_at && *e.token.expires_at <= now_ms) return sdk::AuthResult::rejected("expired");
  if (e.role.empty()) return sdk::AuthResult::rejected("revoked");  // the membership the grant was made in ended
  sdk::Principal p;
  p.tenant_id = e.token.tenant_id;
  p.user_id = e.token.user_id;
  p.credential_type = "oauth";
  p.credential_id = e.token.grant_id;
  p.role = e.role;
  p.scopes = e.scopes;
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> TokenAuthenticator::authenticate_cached(std::string_view token) {
  if (!has_secret_shape(token, kAccessPrefix)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  auto found = cache_.find(secret_hash(ctx_.keyring(), token), now);
  if (found.kind == Entries::Kind::hit) {
    if (now - found.value->loaded_at >= kRecheckMs) return std::nullopt;  // read it again
    return decide(*found.value, now);
  }
  if (found.kind == Entries::Kind::absent) return sdk::AuthResult::rejected("unknown");
  return std::nullopt;
}

sdk::AuthResult TokenAuthenticator::authenticate(std::string_view token) {
  if (auto cached = authenticate_cached(token)) return *cached;
  std::string hash = secret_hash(ctx_.keyring(), token);
  std::int64_t now = ctx_.clock().now_ms();
  std::uint64_t generation = cache_.generation();
  auto record = store_.find_token(*ctx_.database().session(), hash);
  if (!record || record->kind != "access") {
    cache_.put_absent(hash, now, generation);
    return sdk::AuthResult::rejected("unknown");
  }
  auto entry = std::make_shared<CachedToken>();
  entry->token = std::move(*record);
  entry->token_hash = hash;
  entry->loaded_at = now;
  // Role changes and departures drop the entry (the membership event), so both are computed once.
  auto& identity = ctx_.identity();
  entry->role = identity.standing_role(entry->token.tenant_id, entry->token.user_id, entry->token.grant_created_at);
  if (!entry->role.empty()) entry->scopes = identity.effective_scopes(entry->role, split_scope(entry->token.scope));
  cache_.put(hash, entry, generation);
  return decide(*entry, now);
}

void TokenAuthenticator::forget(std::string_view payload) {
  auto colon = payload.find(':');
  if (colon == std::string_view::npos) return cache_.clear();
  std::string_view kind = payload.substr(0, colon), id = payload.substr(colon + 1);
  if (kind == "token") return cache_.erase(std::string(id));
  if (kind == "grant") return cache_.erase_if([&](const CachedToken& e) { return e.token.grant_id == id; });
  if (kind == "client") return cache_.erase_if([&](const CachedToken& e) { return e.token.client_id == id; });
  cache_.clear();
}

void TokenAuthenticator::forget_member(std::string_view tenant_id, std::string_view user_id) {
  cache_.erase_if([&](const CachedToken& e) { return e.token.tenant_id == tenant_id && e.token.user_id == user_id; });
}

}  // namespace oauth
