#pragma once
// One queued audit row, as the writer, the reader and the sinks see it.

#include <boost/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ambit/sdk/audit.hpp"

namespace ambit::kernel {

/// What a row records beyond sdk::AuditRecord.
struct AuditFields {
  std::string_view tool;       ///< the tool name of an MCP tool call
  std::string_view operation;  ///< the operation id of the route, when it declares one
  std::string_view client_ip;  ///< the client address as seen through server.trusted_proxies
};

/// Called once the row is committed (true) or its write failed (false);
/// audit.mode strict answers the request from it.
using AuditCommitted = std::function<void(bool committed)>;

/// The text columns of a row, in this order.
enum AuditText : std::size_t {
  kId, kTenant, kUser, kCredentialType, kCredentialId, kMethod, kRoute, kRequestId, kTool, kOperation, kClientIp,
  kTextColumns
};

struct AuditRow {
  /// The text columns in one buffer, each ended by \x1f: one allocation per
  /// row, and the request's own strings are freed on the request's thread.
  std::string text;
  std::int64_t at = 0;
  int status = 0;
  bool legacy = false;
  AuditCommitted on_commit;  ///< strict mode
  bool barrier = false;      ///< no row: only on_commit, once what was queued before it is committed

  static AuditRow from(const sdk::AuditRecord& r, const AuditFields& f);
  std::array<std::string_view, kTextColumns> columns() const;
  /// The row as the API and the sinks show it (sdk::AuditListing::rows).
  boost::json::object to_json() const;
};

}  // namespace ambit::kernel
