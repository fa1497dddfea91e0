#include "syncer.hpp"

#include <cstdlib>
#include <map>
#include <stdexcept>

#include "directory_sink.hpp"
#include "sync_failure.hpp"
#include "webhook_sink.hpp"

namespace sdk = ambit::sdk;

namespace secrets {
namespace {

// What a secret's last_error tells the tenant about a failed sync.
std::string tenant_reason(const std::exception& e, const SecretRow* bad) {
  if (bad)
    return "secret " + bad->name + (bad->function.empty() ? "" : " of function " + bad->function) +
           " could not be decrypted; nothing was synced";
  if (auto* failure = dynamic_cast<const SyncFailure*>(&e)) return failure->reason();
  return kSinkFailed;
}

}  // namespace

void Syncer::start() {
  if (config_.sink == "service") {
    sink_ = ctx_.service<sdk::SecretSink>(sdk::kSecretSinkService, 1);
    if (!sink_) throw std::runtime_error("sink.type is \"service\" but no plugin provides secrets.sink v1");
  } else if (config_.sink == "webhook") {
    sink_ = std::make_shared<WebhookSink>(config_.webhook_url, std::getenv(config_.webhook_secret_env.c_str()),
                                          config_.webhook_timeout);
  } else {
    directory_ = std::make_shared<DirectorySink>(config_.directory.empty() ? ctx_.data_dir() + "/runtime"
                                                                           : config_.directory);
    sink_ = directory_;
  }
}

void Syncer::forget_project(const std::string& project_id) {
  // The id names a directory: never follow one that could leave the root.
  if (!directory_ || project_id.empty() || project_id.front() == '.' ||
      project_id.find_first_of("/\\") != std::string::npos)
    return;
  try {
    directory_->remove_project(project_id);
  } catch (const std::exception& e) {
    ctx_.logger().error("cannot remove a deleted project's runtime files",
                        {{"project_id", project_id}, {"error", e.what()}});
  }
}

DataKey Syncer::data_key(soci::session& tx, const std::string& project_id) {
  if (auto wrapped = store_.wrapped_key(tx, project_id)) return unwrap_data_key(ctx_.keyring(), *wrapped, project_id);
  DataKey key = new_data_key(ctx_.keyring());
  store_.insert_project(tx, project_id, wrap_data_key(ctx_.keyring(), key, project_id), ctx_.clock().now_ms());
  return key;
}

std::string Syncer::schedule(soci::session& tx, const std::string& project_id, bool resync,
                             std::chrono::milliseconds delay, int attempt) {
  std::int64_t change = store_.last_change(tx, project_id);
  sdk::JobSpec spec;
  spec.kind = kSyncJob;
  spec.payload = {{"project_id", project_id}};
  // One job per change (repeats collapse); every resync and every retry is a job of its own.
  std::string key = "sync-" + project_id + "-" + std::to_string(change);
  if (resync || attempt) key += (attempt ? "-retry-" : "-resync-") + std::to_string(ctx_.clock().now_ms());
  spec.idempotency_key = std::move(key);
  spec.delay = delay;
  auto job = ctx_.jobs().enqueue(tx, spec);
  store_.set_job(tx, project_id, job.job_id);
  return job.job_id;
}

void Syncer::run(const sdk::Job& job, soci::session& tx) {
  const auto& payload = job.payload.as_object();
  std::string project_id(payload.at("project_id").as_string());
  ctx_.database().lock_in_transaction(tx, "secrets:" + project_id);
  auto wrapped = store_.wrapped_key(tx, project_id);
  if (!wrapped) return;  // nothing was ever set
  std::int64_t covered = store_.last_change(tx, project_id);
  auto rows = store_.list(tx, project_id);
  const SecretRow* bad = nullptr;  // a row whose ciphertext does not open
  try {
    DataKey key = unwrap_data_key(ctx_.keyring(), *wrapped, project_id);
    // target ("" = project-wide) -> name -> plaintext; a function's own value wins.
    std::map<std::string, std::map<std::string, std::string>> targets{{"", {}}};
    std::map<std::string, std::string> project_wide;
    for (const auto& r : rows) {
      std::string plain;
      try {
        plain = open_value(key, r.ciphertext, value_aad(project_id, r.function, r.name, r.version));
      } catch (const std::exception& e) {
        bad = &r;
        // Nothing is written while any value fails: the runtime keeps what it had.
        throw std::runtime_error("secret " + r.name + (r.function.empty() ? "" : " of function " + r.function) +
                                 ": " + e.what() + "; nothing was synced");
      }
      if (r.function.empty()) project_wide[r.name] = plain;
      targets[r.function][r.name] = std::move(plain);
    }
    std::vector<std::string> keep;
    for (auto& [function, own] : targets) {
      sdk::SecretBundle bundle{project_id, function, {}};
      std::map<std::string, std::string> merged = project_wide;
      for (auto& [name, value] : own) merged[name] = value;
      bundle.values.assign(merged.begin(), merged.end());
      sink_->write(bundle);
      keep.push_back(function);
    }
    sink_->reap(project_id, keep);  // a function without secrets of its own reads the project-wide target
    store_.mark_synced(tx, project_id, covered);
    store_.clear_failures(tx, project_id);
  } catch (const std::exception& e) {
    int failures = store_.add_failure(tx, project_id);
    auto delay = config_.retry_base * (1LL << std::min(failures - 1, 20));
    if (delay > config_.retry_max) delay = config_.retry_max;
    const std::string reason = tenant_reason(e, bad);  // e.what() may name server paths, hosts: log only
    store_.mark_failed(tx, project_id, covered, reason);
    if (bad) store_.mark_row_failed(tx, project_id, *bad, reason);
    schedule(tx, project_id, false, delay, failures);
    ctx_.logger().warn("secrets sync failed; retrying",
                       {{"project_id", project_id}, {"failures", failures}, {"retry_in_ms", delay.count()},
                        {"error", e.what()}});
  }
}

}  // namespace secrets
