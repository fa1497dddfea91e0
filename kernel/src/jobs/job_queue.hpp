#pragma once
// sdk::JobQueue on the ambit_jobs table, and the runner threads that execute
// jobs. Several processes on one PostgreSQL claim with FOR UPDATE SKIP LOCKED;
// a job's completion commits in the same transaction as its handler's writes,
// guarded by the lease, so each job's effects happen exactly once.
//
// Leases are short (jobs.lease_ms) and, on PostgreSQL, renewed every third of
// a lease by a heartbeat on a connection of its own while jobs run: a long
// job keeps its lease, and a dead process's jobs are retaken within about one
// lease by the other processes. On SQLite one process owns the database, so
// the jobs still marked running when it starts belong to a dead process and
// are requeued at once (start()).

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/jobs.hpp"
#include "ambit/sdk/logger.hpp"
#include "config/kernel_config.hpp"
#include "events/event_bus.hpp"
#include "db/soci_database.hpp"

namespace ambit::kernel {

struct JobStats {
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};  ///< attempts that threw (retried or dead)
  std::atomic<std::uint64_t> dead{0};
  std::atomic<int> running{0};
};

class JobQueue final : public sdk::JobQueue {
 public:
  JobQueue(SociDatabase& db, EventBus& events, const sdk::Clock& clock, sdk::Logger& log, JobsConfig config);
  ~JobQueue() override;

  sdk::EnqueueResult enqueue(soci::session& tx, const sdk::JobSpec& spec) override;
  std::optional<sdk::JobInfo> find(const std::string& job_id) override;
  std::optional<sdk::JobInfo> find_in(soci::session& s, const std::string& job_id) override;

  /// Throws std::invalid_argument on a duplicate or malformed kind.
  void add_handler(const std::string& kind, sdk::JobHandler handler);
  /// Runner threads and the lease heartbeat (when jobs.enabled); on SQLite,
  /// first requeues the jobs a previous process left running.
  void start();
  void stop();   ///< lets running jobs finish
  /// SQLite: requeue every job marked running (its process is gone); returns
  /// how many. Call only before this process runs jobs.
  int requeue_orphaned_jobs();
  /// Extend the lease of every job this process is running; returns how many.
  int renew_leases();
  /// Claim and run one due job; false when none was due (tests, tools).
  bool run_one();
  const JobStats& stats() const { return stats_; }

 private:
  struct Claimed {
    std::string id, kind, payload;
    int attempts = 0, max_attempts = 0;
  };
  std::optional<Claimed> claim();
  void execute(const Claimed& job);
  void record_failure(const Claimed& job, const std::string& error);
  void runner_loop();
  void heartbeat_loop();

  SociDatabase& db_;
  EventBus& events_;
  const sdk::Clock& clock_;
  sdk::Logger& log_;
  JobsConfig config_;
  std::string owner_;  ///< lease owner id of this process
  std::map<std::string, sdk::JobHandler> handlers_;
  std::string kinds_sql_;  ///< 'a','b' for the claim filter
  std::vector<std::thread> runners_;
  std::thread heartbeat_;
  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;
  bool heartbeat_stop_ = false;
  std::unique_ptr<soci::session> heartbeat_session_;  ///< its own: a busy pool must not starve renewals
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool wake_pending_ = false;
  std::atomic<bool> stopping_{false};
  JobStats stats_;
};

}  // namespace ambit::kernel
