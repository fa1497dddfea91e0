#pragma once
// UsageRecorder: "last used at" per credential, written in batches off the
// request path. mark() is cheap (one short lock); a background thread hands
// the batch to `flush` every interval, and once more at stop().

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "ambit/sdk/logger.hpp"

namespace ambit::sdk {
inline namespace v1 {

class UsageRecorder {
 public:
  /// Receives id -> latest use (ms). Called on the recorder's thread; a
  /// throwing flush loses that batch only, with a warning in `log`.
  using Flush = std::function<void(const std::map<std::string, std::int64_t>&)>;

  UsageRecorder() = default;
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;
  ~UsageRecorder() { stop(); }

  void mark(const std::string& id, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto& at = used_[id];
    if (at < now_ms) at = now_ms;
  }

  void start(std::chrono::milliseconds interval, Flush flush, Logger& log) {
    stop();
    flush_ = std::move(flush);
    log_ = &log;
    stopping_ = false;
    thread_ = std::thread([this, interval] {
      std::unique_lock lock(mu_);
      while (!stopping_) {
        cv_.wait_for(lock, interval, [this] { return stopping_; });
        lock.unlock();
        flush_once();
        lock.lock();
      }
    });
  }

  /// Stop the thread and flush what is left.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
      flush_once();
    }
  }

 private:
  void flush_once() {
    std::map<std::string, std::int64_t> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(used_);
    }
    if (!batch.empty() && flush_) {
      try {
        flush_(batch);
      } catch (const std::exception& e) {  // the next batch carries newer times
        if (log_) log_->warn("cannot record last_used_at", {{"credentials", batch.size()}, {"error", e.what()}});
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::int64_t> used_;
  Flush flush_;
  Logger* log_ = nullptr;
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace v1
}  // namespace ambit::sdk
