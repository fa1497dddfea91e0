#pragma once
// The audit log writer and reader. Requests append rows to per-thread queues
// (no I/O on the request path); a background thread writes them in batches
// (AuditWriter) and then hands them to the sinks (AuditSinks). stop() writes
// whatever is queued, so a graceful shutdown loses nothing; a crash loses at
// most the last flush interval (audit.mode strict: nothing answered).
//
// When audit.max_queued_rows rows wait to be written, audit.on_overflow
// decides (the dispatcher asks has_room() before an audited request runs):
// block (wait for room up to audit.overflow_timeout_ms, then 503), fail (503
// at once) or drop (run it; the row is dropped and counted).

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/logger.hpp"
#include "audit/audit_row.hpp"
#include "audit/audit_sinks.hpp"
#include "audit/audit_writer.hpp"
#include "config/kernel_config.hpp"

namespace ambit::kernel {

class AuditLog final : public sdk::AuditLog {
 public:
  AuditLog(sdk::Database& db, sdk::Logger& log, AuditConfig config = {});
  ~AuditLog() override;

  /// Queues a row; never blocks. `on_commit` (strict mode) is called from the
  /// writer thread once the row is committed, or with false when its write
  /// failed (the row stays queued for the next attempt, with status 503:
  /// what the caller was answered).
  void record(sdk::AuditRecord r, const AuditFields& fields = {}, AuditCommitted on_commit = {});
  /// Calls `on_commit` once every row this thread queued so far is committed
  /// (strict mode: a request whose row a tool call it made wrote).
  void after_queued(AuditCommitted on_commit);
  bool strict() const { return config_.mode == AuditConfig::Mode::strict; }
  AuditConfig::Overflow on_overflow() const { return config_.on_overflow; }
  /// Fewer than audit.max_queued_rows rows wait to be written.
  bool has_room() const { return queued_.load(std::memory_order_relaxed) < config_.max_queued_rows; }
  /// Waits for room at most audit.overflow_timeout_ms; false on timeout.
  bool wait_for_room();
  /// A request answered 503 because the log had no room.
  void note_rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  /// Before start().
  void add_sink(std::string name, std::shared_ptr<sdk::AuditSink> sink) { sinks_.add(std::move(name), std::move(sink)); }

  void start();
  void stop();   ///< flush and join
  void flush();  ///< write what is queued now

  sdk::AuditPage query(const sdk::AuditQuery& q) override { return query_with_tools(q).page; }
  sdk::AuditToolPage query_with_tools(const sdk::AuditQuery& q) override;
  sdk::AuditListing list(const sdk::AuditQuery& q, const boost::json::object& more) override;

  std::uint64_t written() const { return written_.load(); }
  std::uint64_t dropped() const { return dropped_.load(); }
  std::uint64_t rejected() const { return rejected_.load(); }
  std::uint64_t flush_failures() const { return flush_failures_.load(); }
  std::size_t queued() const { return queued_.load(); }
  double write_seconds() const { return static_cast<double>(write_ns_.load()) / 1e9; }
  std::vector<AuditSinkStats> sink_stats() const { return sinks_.stats(); }

 private:
  struct ThreadQueue {
    std::mutex mu;  ///< contended only by the writer, every interval
    std::vector<AuditRow> rows;
  };
  ThreadQueue& local_queue();
  void enqueue(AuditRow row);
  void wake_writer();
  void loop();
  void settle(std::vector<AuditRow>& batch, bool committed);

  sdk::Database& db_;
  sdk::Logger& log_;
  AuditConfig config_;
  AuditWriter writer_;
  AuditSinks sinks_;

  static inline std::atomic<std::uint64_t> next_instance_{1};
  const std::uint64_t instance_ = next_instance_++;  ///< keys the thread-local queues (tests run several logs)
  std::mutex queues_mu_;
  std::vector<std::shared_ptr<ThreadQueue>> queues_;

  std::mutex mu_;  ///< guards retry_, stopping_, wake_
  std::condition_variable writer_cv_;  ///< wakes the writer thread
  std::condition_variable room_cv_;    ///< wakes requests waiting for room
  std::vector<AuditRow> retry_;        ///< rows of a failed write, ahead of newer ones
  bool stopping_ = false;
  bool wake_ = false;
  std::mutex flush_mu_;  ///< one writer at a time
  std::thread thread_;

  std::atomic<std::size_t> queued_{0};  ///< rows recorded and not yet committed
  std::atomic<std::uint64_t> written_{0}, dropped_{0}, rejected_{0}, flush_failures_{0}, write_ns_{0};
};

}  // namespace ambit::kernel
