#include "authenticator.hpp"

#include "ambit/sdk/projects.hpp"
#include "key_format.hpp"

namespace sdk = ambit::sdk;

namespace projects {

bool ProjectKeyAuthenticator::claims(std::string_view token) const { return claims_key(token); }

sdk::AuthResult ProjectKeyAuthenticator::decide(const KeyKit::Entry& entry, const sdk::ProjectInfo* project,
                                                std::int64_t now_ms) {
  const ProjectKey& k = entry.record;
  if (!k.is_active) return sdk::AuthResult::rejected("revoked");
  if (!project) return sdk::AuthResult::rejected("unknown");  // the project was deleted
  if (project->archived) return sdk::AuthResult::rejected("project_archived");
  caches_.keys().mark_used(entry, k.id, now_ms);
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
  return caches_.keys().cached(token, now, [&](const KeyKit::Entry& e) -> std::optional<sdk::AuthResult> {
    auto project = caches_.cached_project(e.record.project_id, now);
    if (!project) return std::nullopt;
    return decide(e, project->get(), now);
  });
}

sdk::AuthResult ProjectKeyAuthenticator::authenticate(std::string_view token) {
  if (!well_formed(token)) return sdk::AuthResult::rejected("malformed");
  std::int64_t now = ctx_.clock().now_ms();
  return caches_.keys().verify(
      token, now, [&](const std::string& hash) { return store_.find_key_by_hash(hash); },
      [](KeyKit::Entry&) {},  // not a user credential: no standing to compute
      [&](const KeyKit::Entry& e) { return decide(e, caches_.project(e.record.project_id, now).get(), now); });
}

}  // namespace projects
