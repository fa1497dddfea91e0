#include "service.hpp"

namespace sdk = ambit::sdk;

namespace projects {

sdk::ProjectInfo ProjectsService::resolve(const sdk::Principal& caller, const std::string& project_id) {
  auto project = caches_.project(project_id, ctx_.clock().now_ms());
  // Another tenant's project is as absent as a missing one.
  if (!project || caller.tenant_id.empty() || project->tenant_id != caller.tenant_id)
    throw sdk::ApiError::not_found("no such project");
  return *project;
}

std::shared_ptr<const sdk::ProjectInfo> ProjectsService::resolve_client(const sdk::Request& req) {
  const sdk::Principal& caller = req.caller();
  if (caller.credential_type != sdk::kProjectKeyCredential || caller.project_id.empty())
    throw sdk::ApiError(401, "unauthenticated", "a project API key is required", {{"reason", "not_a_project_key"}});
  std::int64_t now = ctx_.clock().now_ms();
  auto cached = caches_.cached_project(caller.project_id, now);
  if (!cached) req.will_block();
  auto project = cached ? *cached : caches_.project(caller.project_id, now);
  if (!project) throw sdk::ApiError(401, "unauthenticated", "the credential is unknown", {{"reason", "unknown"}});
  return project;
}

}  // namespace projects
