#pragma once
// PostgreSQL's ambit_audit is partitioned by UTC day on `at` (migration
// 0005): partition ambit_audit_pYYYYMMDD holds [day start, next day start)
// in ms. Created ahead of need, dropped whole once expired.

#include <soci/soci.h>

#include <cstdint>
#include <string>

#include "ambit/sdk/database.hpp"

namespace ambit::kernel {

constexpr std::int64_t kAuditDayMs = 86'400'000;

/// Days since the epoch (UTC) of a time in ms.
inline std::int64_t audit_day(std::int64_t at_ms) {
  return at_ms >= 0 ? at_ms / kAuditDayMs : -((-at_ms + kAuditDayMs - 1) / kAuditDayMs);
}

/// "ambit_audit_p20261205" for that day.
std::string audit_partition_name(std::int64_t day);

/// Creates the day's partition unless it exists; serialized across
/// processes by a transaction-scoped advisory lock.
void ensure_audit_partition(sdk::Database& db, soci::session& tx, std::int64_t day);

}  // namespace ambit::kernel
