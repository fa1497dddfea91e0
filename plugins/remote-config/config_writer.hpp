#pragma once
// Every change to a project's config goes through here: one transaction
// that takes the project's write lock (an advisory lock on PostgreSQL, the
// write lock on SQLite), checks If-Match against the current config
// version, makes the change, and then, when something changed, moves the
// version hash by what changed, records the next config version (who, what,
// before and after) and publishes the change, all in that transaction. The
// lock is held for the write itself; nothing is recomputed over the whole
// project.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ambit/sdk/context.hpp"
#include "change_set.hpp"
#include "config.hpp"
#include "store.hpp"

namespace remote_config {

class ConfigWriter {
 public:
  using Change = std::function<void(soci::session& tx, ChangeSet& changes)>;

  ConfigWriter(ambit::sdk::Context& ctx, const Config& config, Store& store);
  /// The job that prunes versions beyond config.max_versions (setup only).
  void register_jobs();

  /// Runs `change` (it throws ApiError to refuse) in a transaction of its
  /// own and answers the config version now current. `caller` null: the
  /// server itself. `if_match`: the request's If-Match; 412 VERSION_CONFLICT
  /// when it names another version. `restored`: a rollback's target.
  std::int64_t write(const std::string& project_id, const ambit::sdk::Principal* caller, std::string_view operation,
                     std::optional<std::string> if_match, const Change& change,
                     std::optional<std::int64_t> restored = std::nullopt);
  /// The same, in the caller's transaction (a provisioning step).
  std::int64_t write_in(soci::session& tx, const std::string& project_id, const ambit::sdk::Principal* caller,
                        std::string_view operation, const std::optional<std::string>& if_match, const Change& change,
                        std::optional<std::int64_t> restored = std::nullopt);

 private:
  ambit::sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
};

/// A config version as an entity tag: "12".
std::string version_etag(std::int64_t version);

}  // namespace remote_config
