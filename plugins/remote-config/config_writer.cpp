#include "config_writer.hpp"

#include "ambit/sdk/error.hpp"
#include "config_cache.hpp"
#include "entity_tags.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {
namespace {

constexpr const char* kPruneJob = "remote-config.prune-versions";

std::optional<std::string> non_empty(const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); }

}  // namespace

std::string version_etag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

ConfigWriter::ConfigWriter(sdk::Context& ctx, const Config& config, Store& store)
    : ctx_(ctx), config_(config), store_(store) {}

void ConfigWriter::register_jobs() {
  ctx_.add_job_handler(kPruneJob, [this](const sdk::Job& job, soci::session& tx) {
    std::string project(job.payload.at("project_id").as_string());
    ctx_.database().lock_in_transaction(tx, "remote-config:" + project);
    store_.prune_versions(tx, project, static_cast<std::int64_t>(config_.max_versions));
  });
}

std::int64_t ConfigWriter::write(const std::string& project_id, const sdk::Principal* caller,
                                 std::string_view operation, std::optional<std::string> if_match, const Change& change,
                                 std::optional<std::int64_t> restored) {
  std::int64_t version = 0;
  ctx_.database().transaction([&](soci::session& tx) {
    version = write_in(tx, project_id, caller, operation, if_match, change, restored);
  });
  return version;
}

std::int64_t ConfigWriter::write_in(soci::session& tx, const std::string& project_id, const sdk::Principal* caller,
                                    std::string_view operation, const std::optional<std::string>& if_match,
                                    const Change& change, std::optional<std::int64_t> restored) {
  ctx_.database().lock_in_transaction(tx, "remote-config:" + project_id);
  Store::Head head = store_.head(tx, project_id);
  if (if_match && !etag_listed(*if_match, version_etag(head.version), false))
    throw sdk::ApiError(412, "VERSION_CONFLICT",
                        "the config changed since version " + *if_match + "; read it again (current version " +
                            std::to_string(head.version) + ")",
                        {{"current_version", head.version}});
  ChangeSet changes;
  std::int64_t now = ctx_.clock().now_ms();
  // A project provisioned before this plugin was loaded has no system
  // segments yet: its first write seeds them (recorded with that write).
  if (!head.exists) {
    auto existing = store_.segment_names(tx, project_id);
    for (auto s : system_segments()) {
      if (existing.count(s.name)) continue;
      s.created_at = s.updated_at = now;
      store_.save_segment(tx, project_id, s, false);
      changes.segment(std::nullopt, s);
    }
  }
  change(tx, changes);
  if (changes.empty()) return head.version;

  if (head.incremental) {
    head.hash = xor_hash(head.hash, changes.toggled());
  } else {  // once per project: a hash written before hashes were kept incrementally
    head.hash = full_hash(store_.entries(tx, project_id), store_.segments(tx, project_id));
    head.incremental = true;
  }
  ++head.version;
  store_.save_head(tx, project_id, head, now);
  Store::Version v;
  v.version = head.version;
  v.created_at = now;
  if (caller) {
    v.user_id = non_empty(caller->user_id);
    v.credential_id = non_empty(caller->credential_id);
    v.credential_type = non_empty(caller->credential_type);
  }
  v.operation = std::string(operation);
  v.hash = head.hash;
  v.restored = restored;
  v.changes = json::serialize(changes.json());
  store_.add_version(tx, project_id, v);
  ctx_.events().publish(tx, kConfigChangedTopic, project_id);
  // Pruning is a job, and only every so many versions: a write never deletes history itself.
  auto keep = static_cast<std::int64_t>(config_.max_versions);
  if (head.version > keep && head.version % (keep / 4 + 1) == 0) {
    sdk::JobSpec job;
    job.kind = kPruneJob;
    job.payload = {{"project_id", project_id}};
    job.idempotency_key = project_id + ":" + std::to_string(head.version);
    ctx_.jobs().enqueue(tx, job);
  }
  return head.version;
}

}  // namespace remote_config
