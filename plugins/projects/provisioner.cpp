#include "provisioner.hpp"

#include <stdexcept>

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace projects {

void Provisioner::add_step(sdk::ProjectStep step) {
  if (sealed_) throw std::logic_error("project lifecycle steps can only be added during setup()");
  if (step.name.empty() || !step.run) throw std::invalid_argument("a project lifecycle step needs a name and a function");
  for (auto& s : steps_)
    if (s.name == step.name) throw std::invalid_argument("project lifecycle step \"" + step.name + "\" is added twice");
  steps_.push_back(std::move(step));
}

void Provisioner::seal() {
  sealed_ = true;
  if (config_.fail_step.empty()) return;
  bool known = false;
  for (auto& s : steps_) known = known || s.name == config_.fail_step;
  ctx_.logger().warn("testing.fail_step is set: provisioning fails on purpose (test deployments only)",
                     {{"step", config_.fail_step}, {"times", config_.fail_times}, {"step_registered", known}});
}

sdk::EnqueueResult Provisioner::start(soci::session& tx, const std::string& project_id, const std::string& job_id,
                                      std::int64_t now) {
  store_.start_provisioning(tx, project_id, job_id, config_.region, now);
  sdk::JobSpec spec;
  spec.kind = kProvisionJob;
  spec.id = job_id;
  spec.idempotency_key = job_id;
  spec.payload = {{"project_id", project_id}};
  spec.max_attempts = config_.provision_max_attempts;
  auto result = ctx_.jobs().enqueue(tx, spec);
  ctx_.events().publish(tx, sdk::kProjectChangedTopic, project_id);
  return result;
}

void Provisioner::run(const sdk::Job& job, soci::session& tx) {
  std::string project_id(job.payload.as_object().at("project_id").as_string());
  std::int64_t now = ctx_.clock().now_ms();
  int runs = 0;
  // A deleted project, or one a newer job took over, is left alone.
  if (!store_.begin_run(tx, project_id, job.id, now, runs)) return;
  auto project = store_.find_project(tx, project_id);
  if (!project) return;
  const sdk::ProjectInfo info = project->info();
  for (const auto& step : steps_) {
    // Each step in a savepoint: a failing step's writes go, the run's record stays.
    tx << "SAVEPOINT projects_step";
    try {
      if (step.name == config_.fail_step && runs <= config_.fail_times)
        throw sdk::ApiError(500, "FAULT_INJECTED",
                            "fault injected by testing.fail_step on provisioning run " + std::to_string(runs));
      step.run(info, tx);
      tx << "RELEASE SAVEPOINT projects_step";
    } catch (const std::exception& e) {
      tx << "ROLLBACK TO SAVEPOINT projects_step";
      // Only an ApiError's message is meant for clients; anything else stays in the log.
      auto* api = dynamic_cast<const sdk::ApiError*>(&e);
      std::string message = api ? api->message() : "the step failed (the server log has the details)";
      ctx_.logger().warn("project provisioning step failed",
                         {{"project_id", project_id}, {"step", step.name}, {"job_id", job.id}, {"error", e.what()}});
      store_.finish_failed(tx, project_id, job.id, step.name, message, ctx_.clock().now_ms());
      ctx_.events().publish(tx, sdk::kProjectChangedTopic, project_id);
      return;
    }
  }
  store_.finish_active(tx, project_id, job.id, ctx_.clock().now_ms());
  ctx_.events().publish(tx, sdk::kProjectChangedTopic, project_id);
}

std::optional<ProvisioningView> Provisioner::view(soci::session& s, const std::string& project_id) {
  auto project = store_.find_project(s, project_id);
  if (!project) return std::nullopt;
  ProvisioningView v;
  // The job is read before the row is read again: a job that completes in
  // between has already committed the project's new status with it.
  for (int attempt = 0; attempt < 3 && project->status == "provisioning" && !project->job_id.empty(); ++attempt) {
    auto job = ctx_.jobs().find_in(s, project->job_id);
    auto again = store_.find_project(s, project_id);
    if (!again) return std::nullopt;
    bool same = again->status == project->status && again->job_id == project->job_id;
    project = std::move(again);
    if (same) {
      v.job = std::move(job);
      break;
    }
  }
  v.project = std::move(*project);
  v.status = v.project.status;
  v.failed_step = v.project.failed_step;
  v.error = v.project.last_error;
  if (v.status == "provisioning" && (!v.job || v.job->status == "dead" || v.job->status == "done")) {
    v.status = "failed";  // the job gave up (or vanished): only a reprovision moves it on
    v.error = "the provisioning job stopped after repeated errors (the server log has the details)";
  }
  v.stalled = v.status == "provisioning" && v.job->status == "queued" && v.job->attempts > 0;
  return v;
}

ReprovisionOutcome Provisioner::reprovision(const std::string& tenant_id, const std::string& project_id) {
  ReprovisionOutcome out;
  ctx_.database().transaction([&](soci::session& tx) {
    out = {};
    ctx_.database().lock_in_transaction(tx, "projects.provision:" + project_id);
    auto v = view(tx, project_id);
    if (!v || v->project.tenant_id != tenant_id) throw sdk::ApiError::not_found("no such project");
    if (v->project.archived_at)
      throw sdk::ApiError::conflict("ARCHIVED", "archived projects cannot be reprovisioned",
                                    {{"current_status", v->status}, {"archived", true}});
    if (v->status == "active")
      throw sdk::ApiError::conflict("ALREADY_ACTIVE", "the project is already active; reprovision is not permitted",
                                    {{"current_status", v->status}});
    std::int64_t now = ctx_.clock().now_ms();
    if (v->status == "provisioning" && !v->stalled) {
      const auto& job = *v->job;
      bool is_repeat = v->project.job_id.rfind("reprovision-", 0) == 0 &&
                       now - job.created_at <= config_.reprovision_collapse.count();
      if (is_repeat) {
        out = {v->project.job_id, true};
        return;
      }
      throw sdk::ApiError::conflict("PROVISIONING_IN_PROGRESS", "provisioning is already running",
                                    {{"job_id", v->project.job_id}, {"status", job.status},
                                     {"current_status", v->status}});
    }
    std::string job_id = "reprovision-" + project_id + "-" + std::to_string(now);
    out = {job_id, !start(tx, project_id, job_id, now).created};
  });
  return out;
}

}  // namespace projects
