#include "store.hpp"

#include <algorithm>
#include <limits>

#include "digest.hpp"

namespace json = boost::json;

namespace remote_config {
namespace {

constexpr const char* kEntryColumns =
    "config_key, value, value_type, description, conditions, version, created_at, updated_at";
constexpr const char* kSegmentColumns = "name, description, match_mode, rules, is_system, created_at, updated_at";

std::optional<std::string> opt_text(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<std::string>(i);
}

Entry entry_from(const soci::row& r) {
  Entry e;
  e.key = r.get<std::string>(0);
  e.value = json::parse(r.get<std::string>(1));
  e.value_type = r.get<std::string>(2);
  e.description = opt_text(r, 3);
  e.conditions = conditions_from_json(json::parse(r.get<std::string>(4)).as_array());
  e.version = r.get<int>(5);
  e.created_at = r.get<long long>(6);
  e.updated_at = r.get<long long>(7);
  return e;
}

Segment segment_from(const soci::row& r) {
  Segment s;
  s.name = r.get<std::string>(0);
  s.description = opt_text(r, 1);
  s.match = r.get<std::string>(2);
  s.rules = parse_rules(json::parse(r.get<std::string>(3)));
  s.is_system = r.get<int>(4) != 0;
  s.created_at = r.get<long long>(5);
  s.updated_at = r.get<long long>(6);
  return s;
}

}  // namespace

std::vector<Entry> Store::entries(soci::session& s, const std::string& project_id) {
  std::vector<Entry> out;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kEntryColumns
                                            << " FROM remote_config_entries WHERE project_id = :p",
                                  soci::use(project_id));
  for (auto& r : rows) out.push_back(entry_from(r));
  // Sorted here: byte order on both databases (PostgreSQL's ORDER BY would follow its collation).
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  return out;
}

std::optional<Entry> Store::entry(soci::session& s, const std::string& project_id, const std::string& key) {
  // One row into a soci::row: one round trip (a rowset prepares and deallocates a named statement on PostgreSQL).
  soci::row r;
  s << "SELECT " << kEntryColumns << " FROM remote_config_entries WHERE project_id = :p AND config_key = :k",
      soci::use(project_id), soci::use(key), soci::into(r);
  if (!s.got_data()) return std::nullopt;
  return entry_from(r);
}

std::size_t Store::count_entries(soci::session& s, const std::string& project_id) {
  long long n = 0;
  s << "SELECT COUNT(*) FROM remote_config_entries WHERE project_id = :p", soci::use(project_id), soci::into(n);
  return static_cast<std::size_t>(n);
}

void Store::save_entry(soci::session& tx, const std::string& project_id, const Entry& e, bool exists) {
  std::string value = json::serialize(e.value);
  std::string conditions = json::serialize(conditions_json(e.conditions));
  std::string description = e.description.value_or("");
  soci::indicator description_ind = e.description ? soci::i_ok : soci::i_null;
  if (exists) {
    tx << "UPDATE remote_config_entries SET value = :v, value_type = :t, description = :d, conditions = :c,"
          " version = :n, updated_at = :u WHERE project_id = :p AND config_key = :k",
        soci::use(value), soci::use(e.value_type), soci::use(description, description_ind), soci::use(conditions),
        soci::use(e.version), soci::use(e.updated_at), soci::use(project_id), soci::use(e.key);
  } else {
    tx << "INSERT INTO remote_config_entries (project_id, config_key, value, value_type, description, conditions,"
          " version, created_at, updated_at) VALUES (:p, :k, :v, :t, :d, :c, :n, :cr, :u)",
        soci::use(project_id), soci::use(e.key), soci::use(value), soci::use(e.value_type),
        soci::use(description, description_ind), soci::use(conditions), soci::use(e.version),
        soci::use(e.created_at), soci::use(e.updated_at);
  }
}

bool Store::delete_entry(soci::session& tx, const std::string& project_id, const std::string& key) {
  soci::statement st = (tx.prepare << "DELETE FROM remote_config_entries WHERE project_id = :p AND config_key = :k",
                        soci::use(project_id), soci::use(key));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<Segment> Store::segments(soci::session& s, const std::string& project_id) {
  std::vector<Segment> out;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kSegmentColumns
                                            << " FROM remote_config_segments WHERE project_id = :p",
                                  soci::use(project_id));
  for (auto& r : rows) out.push_back(segment_from(r));
  std::sort(out.begin(), out.end(), [](const Segment& a, const Segment& b) { return a.name < b.name; });
  return out;
}

std::optional<Segment> Store::segment(soci::session& s, const std::string& project_id, const std::string& name) {
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kSegmentColumns
                                            << " FROM remote_config_segments WHERE project_id = :p AND name = :n",
                                  soci::use(project_id), soci::use(name));
  for (auto& r : rows) return segment_from(r);
  return std::nullopt;
}

std::set<std::string> Store::segment_names(soci::session& s, const std::string& project_id) {
  std::set<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT name FROM remote_config_segments WHERE project_id = :p", soci::use(project_id));
  for (auto& n : rows) out.insert(n);
  return out;
}

void Store::save_segment(soci::session& tx, const std::string& project_id, const Segment& seg, bool exists) {
  std::string rules = json::serialize(rules_json(seg.rules));
  std::string description = seg.description.value_or("");
  soci::indicator description_ind = seg.description ? soci::i_ok : soci::i_null;
  int is_system = seg.is_system ? 1 : 0;
  if (exists) {
    tx << "UPDATE remote_config_segments SET description = :d, match_mode = :m, rules = :r, updated_at = :u"
          " WHERE project_id = :p AND name = :n",
        soci::use(description, description_ind), soci::use(seg.match), soci::use(rules), soci::use(seg.updated_at),
        soci::use(project_id), soci::use(seg.name);
  } else {
    tx << "INSERT INTO remote_config_segments (project_id, name, description, match_mode, rules, is_system,"
          " created_at, updated_at) VALUES (:p, :n, :d, :m, :r, :s, :c, :u)",
        soci::use(project_id), soci::use(seg.name), soci::use(description, description_ind), soci::use(seg.match),
        soci::use(rules), soci::use(is_system), soci::use(seg.created_at), soci::use(seg.updated_at);
  }
}

void Store::delete_segment(soci::session& tx, const std::string& project_id, const std::string& name) {
  tx << "DELETE FROM remote_config_segments WHERE project_id = :p AND name = :n", soci::use(project_id),
      soci::use(name);
}

Store::Head Store::head(soci::session& s, const std::string& project_id) {
  Head h;
  long long version = 0;
  int kind = 0;
  s << "SELECT version, hash, hash_kind FROM remote_config_versions WHERE project_id = :p", soci::use(project_id),
      soci::into(version), soci::into(h.hash), soci::into(kind);
  h.exists = s.got_data();
  if (!h.exists) return Head{};
  h.version = version;
  h.incremental = kind == 1;
  return h;
}

void Store::save_head(soci::session& tx, const std::string& project_id, const Head& h, std::int64_t now) {
  long long version = h.version;
  int kind = h.incremental ? 1 : 0;
  if (h.exists)
    tx << "UPDATE remote_config_versions SET version = :v, hash = :h, hash_kind = :k, updated_at = :u"
          " WHERE project_id = :p",
        soci::use(version), soci::use(h.hash), soci::use(kind), soci::use(now), soci::use(project_id);
  else
    tx << "INSERT INTO remote_config_versions (project_id, version, hash, hash_kind, updated_at)"
          " VALUES (:p, :v, :h, :k, :u)",
        soci::use(project_id), soci::use(version), soci::use(h.hash), soci::use(kind), soci::use(now);
}

namespace {

constexpr const char* kVersionColumns =
    "version, created_at, user_id, credential_id, credential_type, operation, hash, restored, changes";

Store::Version version_from(const soci::row& r) {
  Store::Version v;
  v.version = r.get<long long>(0);
  v.created_at = r.get<long long>(1);
  v.user_id = opt_text(r, 2);
  v.credential_id = opt_text(r, 3);
  v.credential_type = opt_text(r, 4);
  v.operation = r.get<std::string>(5);
  v.hash = r.get<std::string>(6);
  if (r.get_indicator(7) != soci::i_null) v.restored = r.get<long long>(7);
  v.changes = r.get<std::string>(8);
  return v;
}

}  // namespace

void Store::add_version(soci::session& tx, const std::string& project_id, const Version& v) {
  long long version = v.version, created = v.created_at, restored = v.restored.value_or(0);
  std::string user = v.user_id.value_or(""), credential = v.credential_id.value_or(""),
              type = v.credential_type.value_or("");
  soci::indicator user_ind = v.user_id ? soci::i_ok : soci::i_null,
                  credential_ind = v.credential_id ? soci::i_ok : soci::i_null,
                  type_ind = v.credential_type ? soci::i_ok : soci::i_null,
                  restored_ind = v.restored ? soci::i_ok : soci::i_null;
  tx << "INSERT INTO remote_config_history (project_id, version, created_at, user_id, credential_id,"
        " credential_type, operation, hash, restored, changes) VALUES (:p, :v, :c, :u, :ci, :ct, :o, :h, :r, :ch)",
      soci::use(project_id), soci::use(version), soci::use(created), soci::use(user, user_ind),
      soci::use(credential, credential_ind), soci::use(type, type_ind), soci::use(v.operation), soci::use(v.hash),
      soci::use(restored, restored_ind), soci::use(v.changes);
}

std::vector<Store::Version> Store::versions(soci::session& s, const std::string& project_id,
                                            std::optional<std::int64_t> before, int limit) {
  std::vector<Version> out;
  long long below = before.value_or(std::numeric_limits<long long>::max());
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kVersionColumns
                                            << " FROM remote_config_history WHERE project_id = :p AND version < :b"
                                               " ORDER BY version DESC LIMIT :n",
                                  soci::use(project_id), soci::use(below), soci::use(limit));
  for (auto& r : rows) out.push_back(version_from(r));
  return out;
}

std::optional<Store::Version> Store::version(soci::session& s, const std::string& project_id, std::int64_t version) {
  long long v = version;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kVersionColumns
                                            << " FROM remote_config_history WHERE project_id = :p AND version = :v",
                                  soci::use(project_id), soci::use(v));
  for (auto& r : rows) return version_from(r);
  return std::nullopt;
}

std::vector<Store::Version> Store::versions_after(soci::session& s, const std::string& project_id,
                                                  std::int64_t version) {
  std::vector<Version> out;
  long long v = version;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kVersionColumns
                                            << " FROM remote_config_history WHERE project_id = :p AND version > :v"
                                               " ORDER BY version DESC",
                                  soci::use(project_id), soci::use(v));
  for (auto& r : rows) out.push_back(version_from(r));
  return out;
}

long long Store::prune_versions(soci::session& tx, const std::string& project_id, std::int64_t keep) {
  long long newest = head(tx, project_id).version, cutoff = newest - keep;
  if (cutoff <= 0) return 0;
  soci::statement st = (tx.prepare << "DELETE FROM remote_config_history WHERE project_id = :p AND version <= :c",
                        soci::use(project_id), soci::use(cutoff));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace remote_config
