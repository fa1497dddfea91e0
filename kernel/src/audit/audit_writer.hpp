#pragma once
// Writes a batch of audit rows in one transaction: COPY FROM STDIN on
// PostgreSQL (through libpq on SOCI's connection), one prepared INSERT
// stepped per row on SQLite (its own API). Throws on failure; the caller
// retries the batch, and a retry skips the rows a failure at COMMIT may have
// written after all.

#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <vector>

#include "ambit/sdk/database.hpp"
#include "audit/audit_row.hpp"

namespace ambit::kernel {

class AuditWriter {
 public:
  explicit AuditWriter(sdk::Database& db) : db_(db) {}
  void write(const std::vector<AuditRow>& rows);

 private:
  void write_in_transaction(std::span<const AuditRow> rows, bool skip_existing);
  void copy_to_postgresql(soci::session& tx, std::span<const AuditRow> rows, bool skip_existing);
  void insert_into_sqlite(soci::session& tx, std::span<const AuditRow> rows, bool skip_existing);
  /// PostgreSQL: each row's day partition exists before the COPY.
  void ensure_partitions(const std::vector<AuditRow>& rows);

  sdk::Database& db_;
  std::set<std::int64_t> known_days_;  ///< partitions this process has seen to exist
  bool after_failure_ = false;          ///< the last write failed: it may have committed all the same
};

}  // namespace ambit::kernel
