#pragma once
// SQL access through SOCI, the same for SQLite and PostgreSQL.
//
// Conventions every first-party plugin follows (and third parties should):
//   * timestamps are BIGINT milliseconds since the epoch (Clock::now_ms());
//   * ids are TEXT; booleans are INTEGER 0/1 on both dialects;
//   * a plugin's tables are prefixed with its name (e.g. `hello_greetings`).

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <string>

namespace ambit::sdk {
inline namespace v1 {

enum class Dialect { sqlite, postgresql };

/// A pooled session; returned to the pool when destroyed.
using Session = std::unique_ptr<soci::session, std::function<void(soci::session*)>>;

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  /// Borrow a session from the pool (blocks while the pool is exhausted).
  virtual Session session() = 0;
  /// Run `work` inside one transaction: committed when it returns, rolled
  /// back when it throws. A serialization failure or deadlock on PostgreSQL
  /// (SQLSTATE 40001 / 40P01), or SQLITE_BUSY/LOCKED after the busy timeout,
  /// reruns `work` up to 5 times, so `work` must be safe to repeat. SQLite
  /// takes the write lock at BEGIN (IMMEDIATE). Do not nest transactions.
  virtual void transaction(const std::function<void(soci::session&)>& work) = 0;

  /// Serialize writers on `key` until the transaction ends
  /// (pg_advisory_xact_lock on PostgreSQL; SQLite already holds the write lock).
  virtual void lock_in_transaction(soci::session& tx, const std::string& key) = 0;
};

/// One migration step of a plugin, for one dialect. Versions start at 1 and
/// are applied in order, each in its own transaction, and recorded with a
/// checksum of `sql`: editing an applied migration refuses start.
struct Migration {
  int version = 0;
  std::string name;  ///< e.g. "0001_greetings.sql"
  Dialect dialect = Dialect::sqlite;
  std::string sql;   ///< one or more statements separated by ';'
};

}  // namespace v1
}  // namespace ambit::sdk
