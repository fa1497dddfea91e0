#pragma once
// GET /v1/audit's reads: one statement per filter mix, each served by an
// index ending in the time-ordered id (migration 0005), newest first, in
// keyset pages: the cursor is the last id seen.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/database.hpp"
#include "audit/audit_row.hpp"

namespace ambit::kernel {

struct AuditSearch {
  sdk::AuditQuery query;
  std::string route;  ///< a route template; empty: any
  /// PostgreSQL: the time window (ms) search_audit looks in, newest first.
  std::optional<std::int64_t> window_from, window_to;
};

/// The SELECT for a search, with its bound values in order.
struct AuditStatement {
  std::string sql;
  std::vector<std::variant<std::string, long long>> values;
};

/// Throws ApiError 400 INVALID_INPUT on a malformed cursor.
AuditStatement audit_statement(sdk::Dialect dialect, const AuditSearch& search);

struct AuditRows {
  std::vector<AuditRow> rows;  ///< newest first
  std::string next_cursor;     ///< empty on the last page
};

/// Throws ApiError 400 INVALID_INPUT on a malformed cursor.
AuditRows search_audit(sdk::Database& db, const AuditSearch& search);

}  // namespace ambit::kernel
