#pragma once
// Audit retention (audit.retention_days): rows older than the cutoff go.
//  * PostgreSQL: a day partition whose whole range is past the cutoff is
//    dropped (no row is deleted one by one); the next days' partitions are
//    created ahead of the writer.
//  * SQLite: expired rows are deleted in batches of kBatch rows, one tenant
//    at a time by the primary key, each batch its own short transaction.
// The server runs it as a durable job (kind "kernel.audit-prune"), one
// bounded step per job run, each step enqueueing the next: a restart picks
// up where it stopped, and several processes run one prune per interval.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/logger.hpp"
#include "config/kernel_config.hpp"

namespace ambit::kernel {

class JobQueue;

class AuditRetention {
 public:
  static constexpr int kBatch = 2000;
  static constexpr const char* kJobKind = "kernel.audit-prune";

  AuditRetention(sdk::Database& db, sdk::Logger& log, const sdk::Clock& clock, const AuditConfig& config);
  ~AuditRetention();

  /// Rows before this time (ms) are expired; nothing when retention is off.
  std::optional<std::int64_t> cutoff() const;
  /// What a prune would remove now: {"retention_days", "cutoff" (RFC 3339),
  /// "rows", and on PostgreSQL "partitions": [{"name", "rows"}]}.
  boost::json::object plan();

  struct Step {
    bool more = false;        ///< call again (with next_tenant)
    std::string next_tenant;  ///< SQLite: the tenant to go on with
    long long removed = 0;    ///< rows deleted (SQLite) or in the dropped partition (PostgreSQL)
    std::string dropped;      ///< PostgreSQL: the partition dropped
  };
  /// One bounded step, in `tx`.
  Step step(soci::session& tx, const std::string& tenant);
  /// Every step until done, each in its own transaction; returns the rows removed (ambit audit prune).
  long long prune_all();

  /// The server: registers the job kind, prunes once at start, then every
  /// audit.prune_interval_minutes (once per interval across processes).
  void schedule(JobQueue& jobs);
  void stop();

 private:
  /// Enqueues a prune under `key`; empty: this interval's key.
  void enqueue_run(JobQueue& jobs, std::string key);
  std::int64_t now_ms() const;

  sdk::Database& db_;
  sdk::Logger& log_;
  const sdk::Clock& clock_;
  AuditConfig config_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace ambit::kernel
