#pragma once
// sdk::JobQueue on the ambit_jobs table, and the runner threads that execute
// jobs. Several processes on one PostgreSQL claim with FOR UPDATE SKIP LOCKED;
// a job's completion commits in the same transaction as its handler's writes,
// guarded by the lease, so each job's effects happen exactly once.

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
  void start();  ///< runner threads (when jobs.enabled)
  void stop();   ///< lets running jobs finish
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

  SociDatabase& db_;
  EventBus& events_;
  const sdk::Clock& clock_;
  sdk::Logger& log_;
  JobsConfig config_;
  std::string owner_;  ///< lease owner id of this process
  std::map<std::string, sdk::JobHandler> handlers_;
  std::string kinds_sql_;  ///< 'a','b' for the claim filter
  std::vector<std::thread> runners_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool wake_pending_ = false;
  std::atomic<bool> stopping_{false};
  JobStats stats_;
};

}  // namespace ambit::kernel
