#pragma once
// GET /v1/audit's reads: one statement per filter mix, each served by an
// index ending in the time-ordered id (migration 0005), newest first, in
// keyset pages: the cursor is the last id seen.

#include <string>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/database.hpp"
#include "audit/audit_row.hpp"

namespace ambit::kernel {

struct AuditSearch {
  sdk::AuditQuery query;
  std::string route;  ///< a route template; empty: any
};

struct AuditRows {
  std::vector<AuditRow> rows;  ///< newest first
  std::string next_cursor;     ///< empty on the last page
};

/// Throws ApiError 400 INVALID_INPUT on a malformed cursor.
AuditRows search_audit(sdk::Database& db, const AuditSearch& search);

}  // namespace ambit::kernel
