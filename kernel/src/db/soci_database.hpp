#pragma once
// The kernel's sdk::Database: a SOCI connection pool on SQLite or PostgreSQL.
//
// Connection failures (a PostgreSQL restart, pg_terminate_backend, a network
// cut) are handled here, so handlers never see a dead pooled connection:
//   * a connection is checked before it is lent (a cheap poll of its socket,
//     no round trip) and reopened when the server has closed it;
//   * transaction() reruns its work once on a fresh connection when the
//     connection broke before COMMIT (the server rolled it back);
//   * when the database cannot be reached, or a connection broke where
//     repeating is not safe, DatabaseUnavailable (503 UNAVAILABLE) is thrown.
// guard_database_calls() extends the same to whole requests.

#include <soci/connection-pool.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/error.hpp"
#include "ambit/sdk/logger.hpp"
#include "db/database_url.hpp"

struct pg_conn;  // libpq's PGconn

namespace ambit::kernel {

class Router;

/// The database cannot be reached, or a connection broke at a point where the
/// work cannot be repeated safely. An ApiError, so it answers 503 UNAVAILABLE
/// (details.retry_after = 1) wherever it escapes; `detail()` is for the log.
class DatabaseUnavailable final : public sdk::ApiError {
 public:
  explicit DatabaseUnavailable(std::string detail);
  const std::string& detail() const noexcept { return detail_; }

 private:
  std::string detail_;
};

/// What the database layer saw on one thread during a guarded call (a request
/// handler, an authentication): how many statements started, and whether a
/// connection was found broken. Nested scopes each count their own.
struct DbActivity {
  int statements = 0;
  bool connection_lost = false;
};

class DbActivityScope {
 public:
  DbActivityScope();
  ~DbActivityScope();
  DbActivityScope(const DbActivityScope&) = delete;
  DbActivityScope& operator=(const DbActivityScope&) = delete;
  const DbActivity& activity() const { return activity_; }

 private:
  DbActivity activity_;
  DbActivity* outer_;
};

class SociDatabase final : public sdk::Database {
 public:
  /// Opens `pool_size` connections; throws std::runtime_error naming the
  /// (redacted) URL when the database cannot be reached.
  SociDatabase(const DatabaseTarget& target, int pool_size);
  ~SociDatabase() override;

  sdk::Dialect dialect() const override { return target_.dialect; }
  /// Throws DatabaseUnavailable when the lent connection was dead and cannot be reopened.
  sdk::Session session() override;
  void transaction(const std::function<void(soci::session&)>& work) override;
  void lock_in_transaction(soci::session& tx, const std::string& key) override;
  /// Run `hook` once the transaction on `tx` (running on this thread) has
  /// committed; dropped if it rolls back. Runs now when `tx` is not inside
  /// transaction().
  void after_commit(soci::session& tx, std::function<void()> hook);

  /// SELECT 1 on a pooled connection (reopened if needed); false when the
  /// database is unreachable.
  bool ping();
  int in_use() const { return in_use_.load(std::memory_order_relaxed); }
  int size() const { return size_; }
  /// Connections reopened after the server closed them (metrics, tests).
  long long reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
  const DatabaseTarget& target() const { return target_; }

 private:
  void open_slot(soci::session& s);
  void make_usable(soci::session& s);

  DatabaseTarget target_;
  int size_;
  soci::connection_pool pool_;
  std::atomic<int> in_use_{0};
  std::atomic<long long> reconnects_{0};
};

/// True for errors worth rerunning a transaction for (serialization, deadlock, busy).
bool is_retryable_db_error(const std::exception& e);

/// True when `e` says the connection itself failed (class 08, the server
/// terminating the backend, no connection), not the statement.
bool is_connection_error(const std::exception& e);

/// False when the session's connection is known to be closed or broken.
/// Cheap: no round trip to the server. Always true on SQLite.
bool connection_alive(soci::session& s);

/// `connect_string` with the kernel's defaults for a PostgreSQL connection
/// (connect_timeout, TCP keepalives) where the operator did not set them.
std::string with_connection_defaults(const std::string& connect_string);

/// libpq's connection under a SOCI session (COPY, LISTEN); null on SQLite.
pg_conn* pg_connection(soci::session& s);

/// One connection outside the pool (migrations, the event listener, the job heartbeat).
std::unique_ptr<soci::session> open_session(const DatabaseTarget& target);

/// Wrap every route handler of `router` and every authenticator so that a
/// connection-level database failure is retried once on a fresh connection
/// when no statement had run before it, and otherwise answers 503 UNAVAILABLE
/// with Retry-After instead of 500. Call once, after every plugin registered
/// its routes and before serving.
void guard_database_calls(Router& router, std::vector<std::shared_ptr<sdk::Authenticator>>& authenticators,
                          sdk::Logger& log);

}  // namespace ambit::kernel
