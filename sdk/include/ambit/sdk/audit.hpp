#pragma once
// The audit log: the kernel writes one row per request authenticated with a
// tenant credential (Principal::audited), off the request path, in batches;
// rows still queued are flushed on graceful shutdown. Plugins query it.

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ambit::sdk {
inline namespace v1 {

struct AuditRecord {
  std::string id;
  std::int64_t at = 0;  ///< ms since epoch
  std::string tenant_id, user_id, credential_type, credential_id;
  std::string method, route;  ///< route is the template, never the raw path
  int status = 0;
  std::string request_id;
  bool legacy_mode = false;
};

struct AuditQuery {
  std::string tenant_id;  ///< required: rows of one tenant only
  std::optional<std::int64_t> since, until;  ///< ms, inclusive / exclusive
  std::string credential_id, user_id;
  std::optional<int> status;
  std::string cursor;  ///< from a previous page's next_cursor
  int limit = 50;
};

/// Returned by value: frozen (a plugin built on an older SDK lays it out).
struct AuditPage {
  std::vector<AuditRecord> records;  ///< newest first
  std::string next_cursor;           ///< empty on the last page
};

/// A page with the tool name of each row (SDK 1.5).
struct AuditToolPage {
  AuditPage page;
  /// tools[i]: the tool name page.records[i] was called by (an MCP tool
  /// call, Operations::invoke_tool), "" for an HTTP request.
  std::vector<std::string> tools;
};

/// A page of audit rows as JSON objects (SDK 1.6): every column, including
/// those added after this SDK, so a plugin shows new fields without a
/// rebuild. Each row: id, at (RFC 3339), tenant_id, user_id (or null),
/// credential_type, credential_id, method, route, operation (or null),
/// tool (or null), status, request_id, client_ip (or null), legacy_mode.
struct AuditListing {
  boost::json::array rows;  ///< newest first
  std::string next_cursor;  ///< empty on the last page
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  /// Throws ApiError 400 INVALID_INPUT on a malformed cursor.
  virtual AuditPage query(const AuditQuery& q) = 0;
  /// query, with each row's tool name. (SDK 1.5)
  virtual AuditToolPage query_with_tools(const AuditQuery& q) = 0;
  /// query with the filters AuditQuery lacks, by name in `more` (SDK 1.6):
  /// "route" (a route template, e.g. "/v1/secrets/{name}"). Unknown names
  /// throw ApiError 400 INVALID_INPUT.
  virtual AuditListing list(const AuditQuery& q, const boost::json::object& more) = 0;
};

/// A destination audit rows are copied to after they are committed to the
/// database (SDK 1.6; Context::add_audit_sink), e.g. a file a SIEM ingests.
/// The kernel calls write() from a thread of the sink's own, in commit
/// order, with batches of rows shaped as AuditListing::rows. A sink that
/// throws gets the same batch again after a backoff (counted in the
/// metrics); a slow or failing sink never delays the database write, and
/// when its backlog passes the kernel's bound the oldest rows are dropped
/// for that sink only (counted), never from the database.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void write(const boost::json::array& rows) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
