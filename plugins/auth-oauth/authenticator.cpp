#include "authenticator.hpp"

#include <algorithm>

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
  if (e.role.empty()) return sdk::AuthResult::rejected("revoked");  // the user left the tenant
  // A grant from an earlier membership stays dead when the user is added back.
  if (e.token.grant_created_at < e.member_since) return sdk::AuthResult::rejected("revoked");
  const auto& role_scopes = ctx_.identity().role_scopes(e.role);
  sdk::Principal p;
  p.tenant_id = e.token.tenant_id;
  p.user_id = e.token.user_id;
  p.credential_type = "oauth";
  p.credential_id = e.token.grant_id;
  p.role = e.role;
  std::set_intersection(e.scopes.begin(), e.scopes.end(), role_scopes.begin(), role_scopes.end(),
                        std::back_inserter(p.scopes));
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> TokenAuthenticator::authenticate_cached(std::string_view token) {
  if (!has_secret_shape(token, kAccessPrefix)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  auto found = cache_.find(secret_hash(ctx_.keyring(), token), now);
  if (found.kind == Entries::Kind::hit) return decide(*found.value, now);
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
  entry->scopes = split_scope(entry->token.scope);
  std::sort(entry->scopes.begin(), entry->scopes.end());
  if (auto member = ctx_.identity().member(entry->token.tenant_id, entry->token.user_id)) {
    entry->role = member->role;
    entry->member_since = member->created_at;
  }
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
