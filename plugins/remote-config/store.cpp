#include "store.hpp"

#include <algorithm>

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
  json::value conditions = json::parse(r.get<std::string>(4));
  for (auto& c : conditions.as_array()) {
    const auto& o = c.as_object();
    Condition cond;
    if (auto* n = o.if_contains("name")) cond.name = std::string(n->as_string());
    if (auto* s = o.if_contains("segment")) cond.segment = std::string(s->as_string());
    if (auto* p = o.if_contains("percentage")) cond.percentage = p->to_number<double>();
    cond.value = o.at("value");
    e.conditions.push_back(std::move(cond));
  }
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
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kEntryColumns
                                            << " FROM remote_config_entries WHERE project_id = :p AND config_key = :k",
                                  soci::use(project_id), soci::use(key));
  for (auto& r : rows) return entry_from(r);
  return std::nullopt;
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

std::string Store::version_hash(soci::session& s, const std::string& project_id) {
  std::string hash;
  soci::indicator ind = soci::i_null;
  s << "SELECT hash FROM remote_config_versions WHERE project_id = :p", soci::use(project_id), soci::into(hash, ind);
  return s.got_data() && ind == soci::i_ok ? hash : std::string();
}

std::string Store::recompute_hash(soci::session& tx, const std::string& project_id, std::int64_t now) {
  // Content only (no timestamps): the same state always hashes alike.
  json::array entries_doc, segments_doc;
  for (auto& e : entries(tx, project_id))
    entries_doc.push_back(json::array{json::value(e.key), json::value(e.value_type), e.value,
                                      conditions_json(e.conditions), json::value(e.version)});
  for (auto& s : segments(tx, project_id))
    segments_doc.push_back(json::array{json::value(s.name), json::value(s.match), rules_json(s.rules)});
  std::string doc = json::serialize(json::object{{"entries", entries_doc}, {"segments", segments_doc}});
  Digest d = sha256({doc});
  std::string hash = hex(d.data(), d.size());
  int exists = 0;
  tx << "SELECT COUNT(*) FROM remote_config_versions WHERE project_id = :p", soci::use(project_id), soci::into(exists);
  if (exists)
    tx << "UPDATE remote_config_versions SET hash = :h, updated_at = :u WHERE project_id = :p", soci::use(hash),
        soci::use(now), soci::use(project_id);
  else
    tx << "INSERT INTO remote_config_versions (project_id, hash, updated_at) VALUES (:p, :h, :u)",
        soci::use(project_id), soci::use(hash), soci::use(now);
  return hash;
}

}  // namespace remote_config
