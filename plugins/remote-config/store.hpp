#pragma once
// SQL for config entries, segments and the version hash; the only file that
// knows the tables. Writes take the caller's transaction.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "entries.hpp"
#include "segments.hpp"

namespace remote_config {

class Store {
 public:
  /// Ordered by key, byte order on both databases.
  std::vector<Entry> entries(soci::session& s, const std::string& project_id);
  std::optional<Entry> entry(soci::session& s, const std::string& project_id, const std::string& key);
  std::size_t count_entries(soci::session& s, const std::string& project_id);
  /// Insert, or replace the row with the same key.
  void save_entry(soci::session& tx, const std::string& project_id, const Entry& e, bool exists);
  bool delete_entry(soci::session& tx, const std::string& project_id, const std::string& key);

  std::vector<Segment> segments(soci::session& s, const std::string& project_id);
  std::optional<Segment> segment(soci::session& s, const std::string& project_id, const std::string& name);
  std::set<std::string> segment_names(soci::session& s, const std::string& project_id);
  void save_segment(soci::session& tx, const std::string& project_id, const Segment& seg, bool exists);
  void delete_segment(soci::session& tx, const std::string& project_id, const std::string& name);

  /// The project's current config version and hash (remote_config_versions).
  struct Head {
    std::int64_t version = 0;  ///< 0: no version recorded yet
    std::string hash;          ///< empty before the project's first write
    bool incremental = false;  ///< the hash is the XOR of fingerprints (change_set.hpp), else recompute it once
    bool exists = false;
  };
  Head head(soci::session& s, const std::string& project_id);
  /// Call under the project's write lock, in the writing transaction.
  void save_head(soci::session& tx, const std::string& project_id, const Head& head, std::int64_t now);

  /// One config version (remote_config_history).
  struct Version {
    std::int64_t version = 0;
    std::int64_t created_at = 0;
    std::optional<std::string> user_id, credential_id, credential_type;  ///< null: the server itself
    std::string operation;                                              ///< "config.set", "config_versions.rollback"
    std::string hash;                                                   ///< the version hash after it
    std::optional<std::int64_t> restored;                               ///< a rollback: the version it restored
    std::string changes;                                                ///< JSON array (ChangeSet::json)
  };
  void add_version(soci::session& tx, const std::string& project_id, const Version& v);
  /// Newest first, below `before` when given, at most `limit`.
  std::vector<Version> versions(soci::session& s, const std::string& project_id, std::optional<std::int64_t> before,
                                int limit);
  std::optional<Version> version(soci::session& s, const std::string& project_id, std::int64_t version);
  /// Every version after `version`, newest first (to take them back).
  std::vector<Version> versions_after(soci::session& s, const std::string& project_id, std::int64_t version);
  /// Delete the versions older than the newest `keep`; returns how many.
  long long prune_versions(soci::session& tx, const std::string& project_id, std::int64_t keep);
};

}  // namespace remote_config
