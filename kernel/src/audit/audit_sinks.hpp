#pragma once
// Delivery of committed audit rows to the sinks plugins register
// (sdk::AuditSink): each sink has a backlog and a thread of its own, so a
// slow or failing sink never delays the database write or the other sinks.
//
// A sink that throws gets the same batch again after an exponential backoff;
// rows reach every sink in the order they were delivered (commit order). A
// backlog holds at most max_backlog_rows (the batch being written included):
// beyond that the oldest rows are dropped for that sink only, and counted.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/logger.hpp"

namespace ambit::kernel {

struct AuditSinkStats {
  std::string name;
  std::uint64_t delivered = 0, failures = 0, dropped = 0;
  std::size_t backlog = 0;  ///< rows not yet delivered, the batch being written included
};

struct AuditSinksOptions {
  std::size_t max_backlog_rows = 100000;
  std::chrono::milliseconds retry_base{500}, retry_max{30000};
};

class AuditSinks {
 public:
  explicit AuditSinks(sdk::Logger& log, AuditSinksOptions options = {});
  ~AuditSinks();  ///< stop()
  AuditSinks(const AuditSinks&) = delete;
  AuditSinks& operator=(const AuditSinks&) = delete;

  /// Before start(); throws std::invalid_argument on a duplicate name or a null sink.
  void add(std::string name, std::shared_ptr<sdk::AuditSink> sink);
  bool empty() const;
  void start();  ///< one thread per sink
  /// Never blocks on a sink (only a short mutex): appends the rows to every
  /// sink's backlog, dropping the oldest beyond max_backlog_rows (counted),
  /// and wakes the sink threads. Rows delivered after stop() are dropped.
  void deliver(const boost::json::array& rows);
  void deliver(boost::json::array&& rows);  ///< the same, without copying the rows
  /// Delivers what is queued, giving the sinks at most `grace` in total, then
  /// joins the threads. Rows still undelivered after grace are counted as
  /// dropped and logged once. A thread still inside a sink's write() is
  /// detached: it owns what it uses and ends when write() returns.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  std::vector<AuditSinkStats> stats() const;

 private:
  /// Rows are shared by every sink's backlog: deliver() copies them once.
  struct Chunk {
    std::shared_ptr<const boost::json::array> rows;
    std::size_t begin = 0, end = 0;  ///< rows before begin were taken or dropped
  };
  struct Sink {
    std::string name;
    std::shared_ptr<sdk::AuditSink> sink;
    std::deque<Chunk> backlog;
    std::size_t queued = 0;     ///< rows in backlog
    std::size_t in_flight = 0;  ///< rows of the batch being written
    std::uint64_t delivered = 0, failures = 0, dropped = 0;
    bool warned_dropping = false;
    bool finished = false;  ///< its thread has returned
  };
  /// Everything a sink thread touches: a detached thread keeps it alive.
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::unique_ptr<Sink>> sinks;
    bool stopping = false;
    bool abandoned = false;  ///< grace is over: threads return without touching anything
    bool warned_after_stop = false;
  };

  static void run(const std::shared_ptr<Shared>& shared, Sink& sink, sdk::Logger& log, AuditSinksOptions options);
  static std::vector<Chunk> take(Sink& sink, std::size_t max_rows);
  static void drop_oldest(Sink& sink, std::size_t rows);

  sdk::Logger& log_;
  AuditSinksOptions options_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::vector<std::thread> threads_;
  bool started_ = false;  ///< guarded by shared_->mu
  bool stopped_ = false;  ///< guarded by shared_->mu
};

}  // namespace ambit::kernel
