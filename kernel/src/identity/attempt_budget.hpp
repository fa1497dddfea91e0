#pragma once
// Password attempts budgeted per key (an account, a client address): a few
// failures are free, then each further attempt waits for a delay that
// doubles per failure, up to a ceiling. A slowed key is never locked out
// for long, and a guessing attacker gets a handful of tries an hour.
// In this process's memory, bounded.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ambit::kernel {

class AttemptBudget {
 public:
  AttemptBudget(int free_failures, std::chrono::seconds max_delay, std::chrono::seconds window)
      : free_(free_failures), max_delay_ms_(max_delay.count() * 1000), window_ms_(window.count() * 1000) {}

  /// 0 when `key` may try now; otherwise the milliseconds to wait.
  std::int64_t wait_ms(const std::string& key, std::int64_t now_ms);
  void failed(const std::string& key, std::int64_t now_ms);
  void succeeded(const std::string& key);

 private:
  struct Record {
    int failures = 0;
    std::int64_t last_ms = 0;
  };
  std::int64_t delay_ms(int failures) const;
  void prune(std::int64_t now_ms);

  static constexpr std::size_t kMaxKeys = 100000;
  int free_;
  std::int64_t max_delay_ms_, window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Record> records_;
};

}  // namespace ambit::kernel
