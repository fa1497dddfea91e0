#include "audit/audit_query.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <variant>

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

AuditStatement audit_statement(sdk::Dialect dialect, const AuditSearch& search) {
  const sdk::AuditQuery& q = search.query;
  if (!q.cursor.empty() && !valid_cursor(q.cursor))
    throw sdk::ApiError::invalid_input("cursor is not one this API returned", "cursor");
  // Only the filters given appear in the statement, so the planner picks
  // the index of the one that is there (an "(:x = '' OR col = :x)" form
  // would hide it).
  AuditStatement st;
  st.sql =
      "SELECT id, tenant_id, user_id, credential_type, credential_id, method, route, request_id, tool, operation,"
      " client_ip, at, status, legacy_mode FROM ambit_audit";
  if (dialect == sdk::Dialect::sqlite) {
    // SQLite's planner prefers the primary key (the whole row, in order)
    // and filters it: a scan of the tenant's rows for a rare status. Every
    // filter index gives the same order, so name the one that narrows.
    if (!q.credential_id.empty()) {
      st.sql += " INDEXED BY ambit_audit_by_credential";
    } else if (!q.user_id.empty()) {
      st.sql += " INDEXED BY ambit_audit_by_user";
    } else if (!search.route.empty()) {
      st.sql += " INDEXED BY ambit_audit_by_route";
    } else if (q.status) {
      st.sql += " INDEXED BY ambit_audit_by_status";
    }
  }
  st.sql += " WHERE tenant_id = :tenant";
  st.values.emplace_back(q.tenant_id);
  auto add = [&](const char* clause, auto value) {
    st.sql += clause;
    st.values.emplace_back(std::move(value));
  };
  if (!q.credential_id.empty()) add(" AND credential_id = :cred", q.credential_id);
  if (!q.user_id.empty()) add(" AND user_id = :usr", q.user_id);
  if (q.status) add(" AND status = :st", static_cast<long long>(*q.status));
  if (!search.route.empty()) add(" AND route = :route", search.route);
  if (dialect == sdk::Dialect::postgresql) {
    // Partitioned by `at`: bounds on it prune partitions; (at, id) is the index order.
    if (q.since) add(" AND at >= :since", static_cast<long long>(*q.since));
    if (q.until) add(" AND at < :until", static_cast<long long>(*q.until));
    if (search.window_from) add(" AND at >= :wfrom", static_cast<long long>(*search.window_from));
    if (search.window_to) add(" AND at < :wto", static_cast<long long>(*search.window_to));
    if (!q.cursor.empty()) {
      add(" AND (at, id) < (:cat", static_cast<long long>(cursor_time(q.cursor)));
      add(", :cid)", q.cursor);
    }
    st.sql += " ORDER BY at DESC, id DESC";
  } else {
    // Ids sort by time: a time range is an id range of the same index.
    if (q.since) add(" AND id >= :since", time_ordered_id_floor(*q.since));
    if (q.until) add(" AND id < :until", time_ordered_id_floor(*q.until));
    if (!q.cursor.empty()) add(" AND id < :cursor", q.cursor);
    st.sql += " ORDER BY id DESC";
  }
  st.sql += " LIMIT " + std::to_string(std::clamp(q.limit, 1, 500) + 1);
  return st;
}

namespace {

/// Runs a statement; its rows in order.
void fetch(sdk::Database& db, const AuditStatement& statement, std::vector<AuditRow>& out) {
  auto session = db.session();
  soci::row row;
  soci::statement st(*session);
  st.alloc();
  st.prepare(statement.sql);
  st.exchange(soci::into(row));
  for (auto& value : statement.values) std::visit([&](auto& v) { st.exchange(soci::use(v)); }, value);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) {
    sdk::AuditRecord r;
    auto get = [&](std::size_t i) { return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i); };
    r.id = get(0);
    r.tenant_id = get(1);
    r.user_id = get(2);
    r.credential_type = get(3);
    r.credential_id = get(4);
    r.method = get(5);
    r.route = get(6);
    r.request_id = get(7);
    std::string tool = get(8), operation = get(9), client_ip = get(10);
    r.at = row.get<long long>(11);
    r.status = row.get<int>(12);
    r.legacy_mode = row.get<int>(13) != 0;
    out.push_back(AuditRow::from(r, {.tool = tool, .operation = operation, .client_ip = client_ip}));
  }
}

}  // namespace

AuditRows search_audit(sdk::Database& db, const AuditSearch& search) {
  const int limit = std::clamp(search.query.limit, 1, 500);
  const std::size_t wanted = static_cast<std::size_t>(limit) + 1;  // one more says there is a next page
  AuditRows out;
  if (db.dialect() == sdk::Dialect::sqlite) {
    fetch(db, audit_statement(db.dialect(), search), out.rows);
  } else {
    // Planning a statement over every day partition costs more than running
    // it (30 partitions of 5 indexes: 2-3 ms, 30-50 ms on a fresh
    // connection). Look in the newest day first, then the week, then all
    // that is older: each statement plans only the partitions its window
    // spans, and most pages are full after the first.
    const std::int64_t newest =
        !search.query.cursor.empty() ? cursor_time(search.query.cursor)
        : search.query.until        ? *search.query.until
                                    : std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count();
    constexpr std::int64_t kDay = 86'400'000;
    const std::optional<std::int64_t> starts[] = {newest - kDay, newest - 7 * kDay, std::nullopt};
    std::optional<std::int64_t> before;  // the previous window's start
    for (auto& start : starts) {
      AuditSearch window = search;
      window.window_from = start;
      window.window_to = before;
      window.query.limit = static_cast<int>(wanted - out.rows.size()) - 1;
      fetch(db, audit_statement(db.dialect(), window), out.rows);
      if (out.rows.size() >= wanted || (start && search.query.since && *search.query.since >= *start)) break;
      before = start;
    }
  }
  if (out.rows.size() > static_cast<std::size_t>(limit)) {
    out.rows.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::string(out.rows.back().columns()[kId]);
  }
  return out;
}

}  // namespace ambit::kernel
