#pragma once
// The projects service: what the `projects` plugin offers other plugins.
//
// Declare "projects" as a dependency (so it is set up first), then:
//   // in setup(): a step run whenever one of the tenant's projects is provisioned
//   sdk::add_project_step(ctx, {"my-plugin.seed", [](const sdk::ProjectInfo& p, soci::session& tx) { ... }});
//   // in a handler: the caller's project, or 404 NOT_FOUND (another tenant's too)
//   auto project = sdk::projects(ctx).resolve(req.caller(), req.param("projectId"));
//   // on a client route: the project a project key belongs to
//   auto project = sdk::projects(ctx).resolve_client(req);
//
// Every change to a project (status, archive, delete, a key revoked, ...) publishes
// kProjectChangedTopic with the project id on sdk::Events.

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/http.hpp"
#include "ambit/sdk/principal.hpp"

namespace ambit::sdk {
inline namespace v1 {

inline constexpr const char* kProjectsService = "projects";  ///< version 1
inline constexpr const char* kProjectChangedTopic = "projects.project";
/// Principal::credential_type of a project API key; Principal::role is its key type.
inline constexpr const char* kProjectKeyCredential = "project_key";

struct ProjectInfo {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::string platform;  ///< ios | android | all
  std::string status;    ///< not_provisioned | provisioning | active | failed
  std::string region;    ///< empty until provisioning starts
  bool archived = false;
};

/// A step of project provisioning. Steps run in registration order (so in
/// plugin dependency order) inside the provisioning transaction; each must be
/// idempotent, because a reprovision runs every step again. A step that
/// throws has its writes rolled back and marks the project `failed` with the
/// step's name; clients see an ApiError's message, any other exception's only
/// in the server log. Later steps do not run. Keep steps to short database
/// work; enqueue a job of your own for anything slow or external.
struct ProjectStep {
  std::string name;  ///< "<plugin>.<what>", shown to the client when it fails
  std::function<void(const ProjectInfo& project, soci::session& tx)> run;
};

class Projects {
 public:
  virtual ~Projects() = default;
  /// During setup() only.
  virtual void add_lifecycle_step(ProjectStep step) = 0;
  /// The project if the caller's tenant owns it; throws ApiError 404
  /// NOT_FOUND otherwise. Answered from memory when cached.
  virtual ProjectInfo resolve(const Principal& caller, const std::string& project_id) = 0;
  /// The project of the request's project-key principal (credential_type
  /// kProjectKeyCredential); throws ApiError 401 for any other credential.
  /// From memory on the hot path; on a miss it calls req.will_block() first,
  /// so it is safe in handlers registered with may_block = false.
  virtual std::shared_ptr<const ProjectInfo> resolve_client(const Request& req) = 0;
};

/// The projects service; throws when the `projects` plugin is not loaded.
inline Projects& projects(const Context& ctx) {
  auto service = ctx.service<Projects>(kProjectsService, 1);
  if (!service) throw std::logic_error("the projects service is unavailable: load the projects plugin and declare it as a dependency");
  return *service;
}

inline void add_project_step(const Context& ctx, ProjectStep step) { projects(ctx).add_lifecycle_step(std::move(step)); }

}  // namespace v1
}  // namespace ambit::sdk
