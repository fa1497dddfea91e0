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

sdk::ProjectInfo ProjectsService::resolve_client(const sdk::Principal& caller) {
  if (caller.credential_type != sdk::kProjectKeyCredential || caller.project_id.empty())
    throw sdk::ApiError(401, "unauthenticated", "a project API key is required", {{"reason", "not_a_project_key"}});
  auto project = caches_.project(caller.project_id, ctx_.clock().now_ms());
  if (!project) throw sdk::ApiError(401, "unauthenticated", "unknown API key", {{"reason", "unknown"}});
  return *project;
}

}  // namespace projects
