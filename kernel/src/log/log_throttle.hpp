#pragma once
// At most one log line a second for an event that can repeat thousands of
// times a second (accept errors, refused connections, requests failing while
// the database is down); the line says how many were held back.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace ambit::kernel {

class LogThrottle {
 public:
  /// True when a line may be logged now; `held_back` is then how many
  /// events since the last line were not logged. Thread-safe.
  bool allow(std::int64_t& held_back) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < std::chrono::seconds(1)) {
      ++suppressed_;
      return false;
    }
    last_ = now;
    held_back = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  std::int64_t suppressed_ = 0;
};

}  // namespace ambit::kernel
