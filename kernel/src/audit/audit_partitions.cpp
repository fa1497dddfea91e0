#include "audit/audit_partitions.hpp"

#include <chrono>
#include <cstdio>

namespace ambit::kernel {

std::string audit_partition_name(std::int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char name[32];
  std::snprintf(name, sizeof name, "ambit_audit_p%04d%02u%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return name;
}

void ensure_audit_partition(sdk::Database& db, soci::session& tx, std::int64_t day) {
  db.lock_in_transaction(tx, "ambit_audit.partitions");
  tx << "CREATE TABLE IF NOT EXISTS " << audit_partition_name(day) << " PARTITION OF ambit_audit FOR VALUES FROM ("
     << day * kAuditDayMs << ") TO (" << (day + 1) * kAuditDayMs << ")";
}

}  // namespace ambit::kernel
