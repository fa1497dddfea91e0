#include "authenticator.hpp"

#include "credentials.hpp"
#include "protocol.hpp"

namespace sdk = ambit::sdk;

namespace oauth {

TokenAuthenticator::TokenAuthenticator(sdk::Context& ctx, Store& store, std::size_t max_entries)
    : ctx_(ctx), store_(store), kit_(ctx, kPurpose, max_entries, 30000, kRecheckMs), audiences_(max_entries) {}

bool TokenAuthenticator::claims(std::string_view token) const { return token.substr(0, kAccessPrefix.size()) == kAccessPrefix; }

sdk::AuthResult TokenAuthenticator::decide(const TokenKit::Entry& e, std::int64_t now_ms) const {
  const TokenRecord& t = e.record;
  if (t.expires_at && *t.expires_at <= now_ms) return sdk::AuthResult::rejected("expired");
  if (e.role.empty()) return sdk::AuthResult::rejected("revoked");  // the membership the grant was made in ended
  // The audience cache is emptied when full; a token served from the token
  // cache puts its grant back, so the token-audience service answers from
  // memory (it is called on the I/O thread).
  if (!audiences_.find(t.grant_id)) audiences_.remember(t.grant_id, t.client_id, t.resource);
  sdk::Principal p;
  p.tenant_id = t.tenant_id;
  p.user_id = t.user_id;
  p.credential_type = kCredentialType;
  p.credential_id = t.grant_id;
  p.role = e.role;
  p.scopes = e.scopes;
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> TokenAuthenticator::authenticate_cached(std::string_view token) {
  if (!has_secret_shape(token, kAccessPrefix)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.cached(token, now, [&](const TokenKit::Entry& e) { return std::optional(decide(e, now)); });
}

std::string TokenAuthenticator::audience(const std::string& grant_id) {
  if (auto known = audiences_.find(grant_id)) return *known;
  // Not verified by this process lately (or the cache was emptied): one read.
  auto grant = store_.find_grant(*ctx_.database().session(), grant_id);
  if (!grant) return {};  // revoked since the request was authenticated
  audiences_.remember(grant->id, grant->client_id, grant->resource);
  return grant->resource;
}

std::optional<std::string> TokenAudienceService::audience(const sdk::Principal& caller) {
  if (caller.credential_type != kCredentialType) return std::nullopt;
  return tokens_->audience(caller.credential_id);
}

sdk::AuthResult TokenAuthenticator::authenticate(std::string_view token) {
  if (!has_secret_shape(token, kAccessPrefix)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return kit_.verify(
      token, now,
      [&](const std::string& hash) -> std::optional<TokenRecord> {
        auto record = store_.find_token(*ctx_.database().session(), hash);
        if (!record || record->kind != "access") return std::nullopt;
        return record;
      },
      [&](TokenKit::Entry& e) {
        const TokenRecord& t = e.record;
        sdk::stand(ctx_.identity(), e, t.tenant_id, t.user_id, t.grant_created_at, split_scope(t.scope));
        audiences_.remember(t.grant_id, t.client_id, t.resource);  // the token-audience service reads it from here
      },
      [&](const TokenKit::Entry& e) { return decide(e, now); });
}

void TokenAuthenticator::forget(std::string_view payload) {
  auto colon = payload.find(':');
  if (colon == std::string_view::npos) return clear();
  std::string_view kind = payload.substr(0, colon), id = payload.substr(colon + 1);
  if (kind == "token") return kit_.forget_hash(std::string(id));
  if (kind == "grant") {
    audiences_.forget_grant(std::string(id));
    return kit_.forget_if([&](const TokenRecord& t) { return t.grant_id == id; });
  }
  if (kind == "client") {
    audiences_.forget_client(std::string(id));
    return kit_.forget_if([&](const TokenRecord& t) { return t.client_id == id; });
  }
  clear();
}

void TokenAuthenticator::forget_member(std::string_view tenant_id, std::string_view user_id) {
  kit_.forget_if([&](const TokenRecord& t) { return t.tenant_id == tenant_id && t.user_id == user_id; });
}

}  // namespace oauth
