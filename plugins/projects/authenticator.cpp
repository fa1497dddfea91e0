#include "authenticator.hpp"

#include "ambit/sdk/projects.hpp"
#include "key_format.hpp"

namespace sdk = ambit::sdk;

namespace projects {

using KeyEntries = sdk::InvalidatingCache<CachedKey>;

bool ProjectKeyAuthenticator::claims(std::string_view token) const { return claims_key(token); }

sdk::AuthResult ProjectKeyAuthenticator::decide(const CachedKey& entry, const sdk::ProjectInfo* project,
                                                std::int64_t now_ms) {
  const ProjectKey& k = entry.key;
  if (!k.is_active) return sdk::AuthResult::rejected("revoked");
  if (!project) return sdk::AuthResult::rejected("unknown");  // the project was deleted
  if (project->archived) return sdk::AuthResult::rejected("project_archived");
  if (now_ms - entry.last_marked_ms.load(std::memory_order_relaxed) >= 1000) {
    entry.last_marked_ms.store(now_ms, std::memory_order_relaxed);
    caches_.usage().mark(k.id, now_ms);
  }
  sdk::Principal p;
  p.tenant_id = project->tenant_id;
  p.project_id = project->id;
  p.credential_type = sdk::kProjectKeyCredential;
  p.credential_id = k.id;
  p.role = k.key_type;
  p.audited = false;
  return sdk::AuthResult::ok(std::move(p));
}

std::optional<sdk::AuthResult> ProjectKeyAuthenticator::authenticate_cached(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  auto found = caches_.keys().find(hash_key(ctx_.keyring(), token), now);
  if (found.kind == KeyEntries::Kind::absent) return sdk::AuthResult::rejected("unknown");
  if (found.kind == KeyEntries::Kind::miss) return std::nullopt;
  auto project = caches_.cached_project(found.value->key.project_id, now);
  if (!project) return std::nullopt;
  return decide(*found.value, project->get(), now);
}

sdk::AuthResult ProjectKeyAuthenticator::authenticate(std::string_view token) {
  if (auto cached = authenticate_cached(token)) return *cached;
  std::string hash = hash_key(ctx_.keyring(), token);
  std::int64_t now = ctx_.clock().now_ms();
  std::shared_ptr<const CachedKey> entry;
  if (auto found = caches_.keys().find(hash, now); found.kind == KeyEntries::Kind::hit) {
    entry = found.value;
  } else {
    std::uint64_t generation = caches_.keys().generation();
    auto record = store_.find_key_by_hash(hash);
    if (!record) {
      caches_.keys().put_absent(hash, now, generation);
      return sdk::AuthResult::rejected("unknown");
    }
    auto fresh = std::make_shared<CachedKey>();
    fresh->key = std::move(*record);
    caches_.keys().put(hash, fresh, generation);
    entry = std::move(fresh);
  }
  auto project = caches_.project(entry->key.project_id, now);
  return decide(*entry, project.get(), now);
}

}  // namespace projects
