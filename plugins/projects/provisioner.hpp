#pragma once
// Provisioning: the state machine not_provisioned -> provisioning -> active |
// failed, driven by durable jobs ("projects.provision") that run the
// lifecycle steps plugins register. Reprovision is serialized per project
// (an advisory lock on PostgreSQL, the write lock on SQLite).

#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/projects.hpp"
#include "config.hpp"
#include "store.hpp"

namespace projects {

inline constexpr const char* kProvisionJob = "projects.provision";

/// What a client sees of provisioning.
struct ProvisioningView {
  ProjectRecord project;
  std::string status;  ///< the project's status, or "failed" when its job stopped for good
  std::optional<ambit::sdk::JobInfo> job;  ///< the latest job while the project is provisioning
  std::optional<std::string> failed_step;
  std::optional<std::string> error;
  /// Provisioning, but its job is waiting to retry after an error: a reprovision may replace it.
  bool stalled = false;
};

struct ReprovisionOutcome {
  std::string job_id;
  bool collapsed = false;
};

class Provisioner {
 public:
  Provisioner(ambit::sdk::Context& ctx, const Config& config, Store& store)
      : ctx_(ctx), config_(config), store_(store) {}

  /// setup() only: steps run in registration order.
  void add_step(ambit::sdk::ProjectStep step);
  /// Refuse further steps; warn about a fault switch naming no step.
  void seal();

  /// Inside the caller's transaction: point the project at job `job_id` (status
  /// provisioning, region set) and enqueue the job.
  ambit::sdk::EnqueueResult start(soci::session& tx, const std::string& project_id, const std::string& job_id,
                                  std::int64_t now);
  /// The job handler.
  void run(const ambit::sdk::Job& job, soci::session& tx);
  /// POST .../reprovision for a project the caller owns (checked here too):
  /// throws 404 and the seed's 409s.
  ReprovisionOutcome reprovision(const std::string& tenant_id, const std::string& project_id);
  /// A consistent view of the project and its latest job; nullopt when the project is gone.
  std::optional<ProvisioningView> view(soci::session& s, const std::string& project_id);

 private:
  ambit::sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
  std::vector<ambit::sdk::ProjectStep> steps_;
  bool sealed_ = false;
};

}  // namespace projects
