#pragma once
// SQL for projects and their keys; the only file that knows the tables.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/projects.hpp"

namespace projects {

struct ProjectRecord {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::optional<std::string> bundle_id;
  std::string platform = "all";
  std::optional<std::string> environment;  ///< developer-chosen label
  std::string status = "not_provisioned";
  std::optional<std::string> region;
  std::string job_id;  ///< the latest provisioning job, empty before the first
  int provision_runs = 0;
  std::optional<std::string> failed_step;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> provisioned_at;
  std::optional<std::int64_t> archived_at;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;

  ambit::sdk::ProjectInfo info() const;
};

struct ProjectKey {
  std::string id;
  std::string project_id;
  std::string key_prefix;
  std::string key_type;     ///< client | server
  std::string environment;  ///< development | production
  bool is_active = true;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
};

class Store {
 public:
  explicit Store(ambit::sdk::Context& ctx) : ctx_(ctx) {}

  // --- projects ---------------------------------------------------------------
  void insert_project(soci::session& tx, const ProjectRecord& p);
  /// Any tenant's project; ownership is the caller's check.
  std::optional<ProjectRecord> find_project(soci::session& s, const std::string& id);
  std::optional<ProjectRecord> find_project(const std::string& id);
  /// Up to `fetch` of the tenant's projects, newest first (created_at, then
  /// id, descending), after `after` in that order.
  std::vector<ProjectRecord> list_projects(const std::string& tenant_id,
                                           const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  /// name, bundle_id, platform, environment, updated_at.
  void update_details(soci::session& tx, const ProjectRecord& p);
  /// Point the project at a new provisioning job: status provisioning, region set, error cleared.
  void start_provisioning(soci::session& tx, const std::string& id, const std::string& job_id, const std::string& region,
                          std::int64_t now);
  /// Count a run of `job_id`; false when the project moved on (deleted, or another job owns it).
  bool begin_run(soci::session& tx, const std::string& id, const std::string& job_id, std::int64_t now, int& runs);
  void finish_active(soci::session& tx, const std::string& id, const std::string& job_id, std::int64_t now);
  void finish_failed(soci::session& tx, const std::string& id, const std::string& job_id, const std::string& step,
                     const std::string& error, std::int64_t now);
  void set_archived(soci::session& tx, const std::string& id, std::optional<std::int64_t> archived_at, std::int64_t now);
  /// The project row and its keys. Other plugins' data for it stays.
  void delete_project(soci::session& tx, const std::string& id);

  // --- keys -------------------------------------------------------------------
  void insert_key(soci::session& tx, const ProjectKey& k, const std::string& key_hash);
  std::optional<ProjectKey> find_key_by_hash(const std::string& key_hash);
  std::vector<ProjectKey> list_keys(soci::session& s, const std::string& project_id);
  /// false when the project has no such key.
  bool deactivate_key(soci::session& tx, const std::string& project_id, const std::string& key_id, std::int64_t now);
  void touch_keys(const std::map<std::string, std::int64_t>& last_used);

 private:
  ambit::sdk::Context& ctx_;
};

}  // namespace projects
