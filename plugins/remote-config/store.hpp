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

  /// The stored version hash; empty before the project's first write.
  std::string version_hash(soci::session& s, const std::string& project_id);
  /// Hash the project's entries and segments as they are now and store it.
  /// Call under the project's write lock, after the change, in its transaction.
  std::string recompute_hash(soci::session& tx, const std::string& project_id, std::int64_t now);
};

}  // namespace remote_config
