#pragma once
// Counts events per key (an account, an address) in a sliding window, in
// this process's memory: registrations per address.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace oauth {

class WindowCounter {
 public:
  WindowCounter(int limit, std::chrono::milliseconds window) : limit_(limit), window_ms_(window.count()) {}

  /// true when `key` has reached the limit within the window.
  bool exhausted(const std::string& key, std::int64_t now_ms);
  void add(const std::string& key, std::int64_t now_ms);
  void reset(const std::string& key);

 private:
  void prune(std::deque<std::int64_t>& events, std::int64_t now_ms) const;

  static constexpr std::size_t kMaxKeys = 100000;
  int limit_;
  std::int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::int64_t>> events_;
};

}  // namespace oauth
