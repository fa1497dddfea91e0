#include "audit/audit_query.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <deque>

#include "ambit/sdk/error.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {

// Ids are 12 hex digits of their time in ms, '-', 8, '-', 8 (util/ids.hpp).
bool valid_cursor(const std::string& id) {
  return id.size() == 30 && id[12] == '-' && id[21] == '-' &&
         std::all_of(id.begin(), id.begin() + 12, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::int64_t cursor_time(const std::string& id) {
  std::int64_t at = 0;
  std::from_chars(id.data(), id.data() + 12, at, 16);
  return at;
}


}  // namespace

AuditRows search_audit(sdk::Database& db, const AuditSearch& search) {
  const sdk::AuditQuery& q = search.query;
  if (!q.cursor.empty() && !valid_cursor(q.cursor))
    throw sdk::ApiError::invalid_input("cursor is not one this API returned", "cursor");
  const bool postgres = db.dialect() == sdk::Dialect::postgresql;
  const int limit = std::clamp(q.limit, 1, 500);

  // Only the filters given appear in the statement, so the planner picks
  // the index of the one that is there (an "(:x = '' OR col = :x)" form
  // would hide it). Bound values live in these deques for the statement.
  std::string sql =
      "SELECT id, tenant_id, user_id, credential_type, credential_id, method, route, request_id, tool, operation,"
      " client_ip, at, status, legacy_mode FROM ambit_audit WHERE tenant_id = :tenant";
  std::deque<std::string> texts;
  std::deque<long long> numbers;
  std::vector<std::pair<std::string*, long long*>> binds;  // in statement order; one of the two set
  auto text = [&](const std::string& clause, std::string value) {
    sql += clause;
    binds.push_back({&texts.emplace_back(std::move(value)), nullptr});
  };
  auto number = [&](const std::string& clause, long long value) {
    sql += clause;
    binds.push_back({nullptr, &numbers.emplace_back(value)});
  };
  binds.push_back({&texts.emplace_back(q.tenant_id), nullptr});
  if (!q.credential_id.empty()) text(" AND credential_id = :cred", q.credential_id);
  if (!q.user_id.empty()) text(" AND user_id = :usr", q.user_id);
  if (q.status) number(" AND status = :st", *q.status);
  if (!search.route.empty()) text(" AND route = :route", search.route);
  if (postgres) {
    // Partitioned by `at`: bounds on it prune partitions; (at, id) is the index order.
    if (q.since) number(" AND at >= :since", *q.since);
    if (q.until) number(" AND at < :until", *q.until);
    if (!q.cursor.empty()) {
      number(" AND (at, id) < (:cat", cursor_time(q.cursor));
      text(", :cid)", q.cursor);
    }
    sql += " ORDER BY at DESC, id DESC";
  } else {
    // Ids sort by time: a time range is an id range of the same index.
    if (q.since) text(" AND id >= :since", time_ordered_id_floor(*q.since));
    if (q.until) text(" AND id < :until", time_ordered_id_floor(*q.until));
    if (!q.cursor.empty()) text(" AND id < :cursor", q.cursor);
    sql += " ORDER BY id DESC";
  }
  sql += " LIMIT " + std::to_string(limit + 1);

  auto session = db.session();
  soci::row row;
  soci::statement st(*session);
  st.alloc();
  st.prepare(sql);
  st.exchange(soci::into(row));
  for (auto& [t, n] : binds) {
    if (t) {
      st.exchange(soci::use(*t));
    } else {
      st.exchange(soci::use(*n));
    }
  }
  st.define_and_bind();
  st.execute(false);

  AuditRows out;
  while (st.fetch()) {
    sdk::AuditRecord r;
    AuditFields f;
    std::string tool, operation, client_ip;
    auto get = [&](std::size_t i) { return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i); };
    r.id = get(0);
    r.tenant_id = get(1);
    r.user_id = get(2);
    r.credential_type = get(3);
    r.credential_id = get(4);
    r.method = get(5);
    r.route = get(6);
    r.request_id = get(7);
    tool = get(8);
    operation = get(9);
    client_ip = get(10);
    r.at = row.get<long long>(11);
    r.status = row.get<int>(12);
    r.legacy_mode = row.get<int>(13) != 0;
    f.tool = tool;
    f.operation = operation;
    f.client_ip = client_ip;
    out.rows.push_back(AuditRow::from(r, f));
  }
  if (static_cast<int>(out.rows.size()) > limit) {
    out.rows.pop_back();
    out.next_cursor = std::string(out.rows.back().columns()[kId]);
  }
  return out;
}

}  // namespace ambit::kernel
