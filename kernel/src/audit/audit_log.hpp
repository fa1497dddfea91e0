#pragma once
// The audit log writer and reader. Requests append records to an in-memory
// queue (no I/O on the request path); a background thread writes them in
// batches. stop() writes whatever is queued, so a graceful shutdown loses
// nothing; a crash loses at most the last flush interval.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/logger.hpp"

namespace ambit::kernel {

class AuditLog final : public sdk::AuditLog {
 public:
  AuditLog(sdk::Database& db, sdk::Logger& log, std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200));
  ~AuditLog() override;

  /// Never blocks on the database. `tool`: the tool name of a tool call.
  void record(sdk::AuditRecord r, std::string_view tool = {});
  void start();
  void stop();   ///< flush and join
  void flush();  ///< write what is queued now
  sdk::AuditPage query(const sdk::AuditQuery& q) override { return query_with_tools(q).page; }
  sdk::AuditToolPage query_with_tools(const sdk::AuditQuery& q) override;

  std::uint64_t dropped() const { return dropped_.load(); }
  std::uint64_t written() const { return written_.load(); }

 private:
  void loop();

  sdk::Database& db_;
  sdk::Logger& log_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  struct QueuedRow {
    std::string text;  ///< id, tenant, user, credential type and id, method, route, request id, tool; \x1f-separated
    std::int64_t at = 0;
    int status = 0;
    bool legacy = false;
  };
  /// Each recording thread appends to its own queue (its lock is contended
  /// only by the flusher, every interval); failed batches wait in retry_.
  struct ThreadQueue {
    std::mutex mu;
    std::vector<QueuedRow> rows;
  };
  ThreadQueue& local_queue();
  static inline std::atomic<std::uint64_t> next_instance_{1};
  const std::uint64_t instance_ = next_instance_++;
  std::mutex queues_mu_;
  std::vector<std::shared_ptr<ThreadQueue>> queues_;
  std::vector<QueuedRow> retry_;  ///< guarded by mu_
  std::atomic<std::size_t> queued_{0};
  std::mutex flush_mu_;  ///< one writer at a time
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> dropped_{0}, written_{0};
};

}  // namespace ambit::kernel
