#pragma once
// The kernel's sdk::Database: a SOCI connection pool on SQLite or PostgreSQL.

#include <soci/connection-pool.h>

#include <atomic>
#include <memory>
#include <string>

#include "ambit/sdk/database.hpp"
#include "db/database_url.hpp"

namespace ambit::kernel {

class SociDatabase final : public sdk::Database {
 public:
  /// Opens `pool_size` connections; throws std::runtime_error naming the
  /// (redacted) URL when the database cannot be reached.
  SociDatabase(const DatabaseTarget& target, int pool_size);
  ~SociDatabase() override;

  sdk::Dialect dialect() const override { return target_.dialect; }
  sdk::Session session() override;
  void transaction(const std::function<void(soci::session&)>& work) override;
  void lock_in_transaction(soci::session& tx, const std::string& key) override;
  /// Run `hook` once the transaction on `tx` (running on this thread) has
  /// committed; dropped if it rolls back. Runs now when `tx` is not inside
  /// transaction().
  void after_commit(soci::session& tx, std::function<void()> hook);

  /// SELECT 1 on a pooled connection; false when the database is unreachable.
  bool ping();
  int in_use() const { return in_use_.load(std::memory_order_relaxed); }
  int size() const { return size_; }
  const DatabaseTarget& target() const { return target_; }

 private:
  DatabaseTarget target_;
  int size_;
  soci::connection_pool pool_;
  std::atomic<int> in_use_{0};
};

/// True for errors worth rerunning a transaction for (serialization, deadlock, busy).
bool is_retryable_db_error(const std::exception& e);

/// One connection outside the pool (migrations, the event listener).
std::unique_ptr<soci::session> open_session(const DatabaseTarget& target);

}  // namespace ambit::kernel
