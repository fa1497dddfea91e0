#include "audit/audit_writer.hpp"

#include <libpq-fe.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <soci/soci.h>

#include <stdexcept>

#include "audit/audit_partitions.hpp"
#include "db/soci_database.hpp"

namespace ambit::kernel {
namespace {

using namespace sqlite_api;  // where SOCI's header puts the SQLite API

constexpr const char* kColumns =
    "id, tenant_id, user_id, credential_type, credential_id, method, route, request_id, tool, operation, client_ip,"
    " at, status, legacy_mode";

// COPY's text format: a tab between columns, \N for NULL, and backslash,
// tab, newline and carriage return escaped.
void append_copy_text(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

bool nullable(std::size_t column) {
  return column == kUser || column == kTool || column == kOperation || column == kClientIp;
}

sqlite3* sqlite_connection(soci::session& s) {
  if (!s.get_backend() || s.get_backend_name() != "sqlite3") return nullptr;
  return static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
}

std::string pg_error(PGconn* conn, const char* what) {
  return std::string(what) + ": " + PQerrorMessage(conn);
}

}  // namespace

void AuditWriter::write(const std::vector<AuditRow>& rows) {
  const bool postgres = db_.dialect() == sdk::Dialect::postgresql;
  const bool skip_existing = after_failure_;
  std::span<const AuditRow> all(rows);
  try {
    if (postgres) ensure_partitions(rows);
    write_in_transaction(all, skip_existing);
    after_failure_ = false;
  } catch (...) {
    known_days_.clear();    // a partition may have been dropped: check again next time
    after_failure_ = true;  // a COMMIT that failed late may be in: the retry skips those rows
    throw;
  }
}

// A transaction of its own rather than Database::transaction: the log keeps
// and retries a failed batch itself, so a busy or lost database fails fast
// here instead of being retried under the caller.
void AuditWriter::write_in_transaction(std::span<const AuditRow> rows, bool skip_existing) {
  const bool postgres = db_.dialect() == sdk::Dialect::postgresql;
  auto session = db_.session();
  soci::session& tx = *session;
  try {
    tx << (postgres ? "BEGIN" : "BEGIN IMMEDIATE");
    if (postgres) {
      copy_to_postgresql(tx, rows, skip_existing);
    } else {
      insert_into_sqlite(tx, rows, skip_existing);
    }
    tx << "COMMIT";
  } catch (...) {
    try {
      tx << "ROLLBACK";
    } catch (...) {
    }
    throw;
  }
}

void AuditWriter::ensure_partitions(const std::vector<AuditRow>& rows) {
  std::set<std::int64_t> missing;
  for (auto& row : rows)
    if (!row.barrier && !known_days_.contains(audit_day(row.at))) missing.insert(audit_day(row.at));
  if (missing.empty()) return;
  db_.transaction([&](soci::session& tx) {
    for (auto day : missing) ensure_audit_partition(db_, tx, day);
  });
  known_days_.insert(missing.begin(), missing.end());
}

void AuditWriter::copy_to_postgresql(soci::session& tx, std::span<const AuditRow> rows, bool skip_existing) {
  PGconn* conn = pg_connection(tx);
  if (!conn) throw std::logic_error("audit COPY needs a PostgreSQL connection");
  // A writer stuck behind someone's lock on the table is as good as down:
  // fail, keep the rows and retry (audit.on_overflow decides meanwhile).
  tx << "SET LOCAL lock_timeout = '2s'";
  // COPY cannot skip duplicates: after a failure, copy into a scratch table
  // and insert from it with ON CONFLICT DO NOTHING.
  const char* target = skip_existing ? "ambit_audit_retry" : "ambit_audit";
  if (skip_existing)
    tx << "CREATE TEMP TABLE IF NOT EXISTS ambit_audit_retry (LIKE ambit_audit) ON COMMIT DELETE ROWS";
  PGresult* started =
      PQexec(conn, ("COPY " + std::string(target) + " (" + std::string(kColumns) + ") FROM STDIN").c_str());
  bool copying = PQresultStatus(started) == PGRES_COPY_IN;
  PQclear(started);
  if (!copying) throw std::runtime_error(pg_error(conn, "COPY ambit_audit"));

  constexpr std::size_t kChunk = 1 << 20;
  std::string buffer;
  buffer.reserve(kChunk + 4096);
  auto send = [&] {
    if (!buffer.empty() && PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw std::runtime_error(pg_error(conn, "COPY data"));
    buffer.clear();
  };
  for (auto& row : rows) {
    if (row.barrier) continue;
    auto columns = row.columns();
    for (std::size_t c = 0; c < kTextColumns; ++c) {
      if (nullable(c) && columns[c].empty()) {
        buffer += "\\N";
      } else {
        append_copy_text(buffer, columns[c]);
      }
      buffer += '\t';
    }
    buffer += std::to_string(row.at);
    buffer += '\t';
    buffer += std::to_string(row.status);
    buffer += row.legacy ? "\t1\n" : "\t0\n";
    if (buffer.size() >= kChunk) send();
  }
  send();
  if (PQputCopyEnd(conn, nullptr) != 1) throw std::runtime_error(pg_error(conn, "COPY end"));
  std::string error;
  while (PGresult* result = PQgetResult(conn)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && error.empty()) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  if (!error.empty()) throw std::runtime_error("COPY ambit_audit: " + error);
  if (skip_existing)
    tx << "INSERT INTO ambit_audit (" << kColumns << ") SELECT " << kColumns
       << " FROM ambit_audit_retry ON CONFLICT DO NOTHING";
}

void AuditWriter::insert_into_sqlite(soci::session& tx, std::span<const AuditRow> rows, bool skip_existing) {
  // The SQLite API itself: SOCI's bulk binding turns every value into a
  // string first, which cost more than SQLite's own work (40k vs 110k rows/s).
  sqlite3* conn = sqlite_connection(tx);
  if (!conn) throw std::logic_error("audit INSERT needs a SQLite connection");
  std::string sql = std::string(skip_existing ? "INSERT OR IGNORE" : "INSERT") + " INTO ambit_audit (" + kColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(conn, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("audit INSERT: ") + sqlite3_errmsg(conn));
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, sqlite3_finalize);
  for (auto& row : rows) {
    if (row.barrier) continue;
    auto columns = row.columns();
    int i = 1;
    for (std::size_t c = 0; c < kTextColumns; ++c, ++i) {
      if (nullable(c) && columns[c].empty()) {
        sqlite3_bind_null(raw, i);
      } else {  // SQLITE_STATIC: the row outlives the step
        sqlite3_bind_text(raw, i, columns[c].data(), static_cast<int>(columns[c].size()), SQLITE_STATIC);
      }
    }
    sqlite3_bind_int64(raw, i++, row.at);
    sqlite3_bind_int(raw, i++, row.status);
    sqlite3_bind_int(raw, i, row.legacy ? 1 : 0);
    if (sqlite3_step(raw) != SQLITE_DONE) throw std::runtime_error(std::string("audit INSERT: ") + sqlite3_errmsg(conn));
    sqlite3_reset(raw);
  }
}

}  // namespace ambit::kernel
