#include "rate_limit.hpp"

namespace oauth {

void WindowCounter::prune(std::deque<std::int64_t>& events, std::int64_t now_ms) const {
  while (!events.empty() && events.front() <= now_ms - window_ms_) events.pop_front();
}

bool WindowCounter::exhausted(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = events_.find(key);
  if (it == events_.end()) return false;
  prune(it->second, now_ms);
  return static_cast<int>(it->second.size()) >= limit_;
}

void WindowCounter::add(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (events_.size() >= kMaxKeys && !events_.count(key)) {
    // Bound memory under a flood of distinct keys: drop keys with nothing in
    // the window, then (if still full) one other key, never everyone's.
    for (auto it = events_.begin(); it != events_.end();) {
      prune(it->second, now_ms);
      it = it->second.empty() ? events_.erase(it) : std::next(it);
    }
    if (events_.size() >= kMaxKeys) events_.erase(events_.begin());
  }
  auto& events = events_[key];
  prune(events, now_ms);
  events.push_back(now_ms);
}

void WindowCounter::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  events_.erase(key);
}

}  // namespace oauth
