#include "identity/attempt_budget.hpp"

#include <algorithm>

namespace ambit::kernel {

std::int64_t AttemptBudget::delay_ms(int failures) const {
  if (failures < free_) return 0;
  int doublings = std::min(failures - free_, 30);
  return std::min<std::int64_t>(std::int64_t{1000} << doublings, max_delay_ms_);
}

std::int64_t AttemptBudget::wait_ms(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return 0;
  if (now_ms - it->second.last_ms >= window_ms_) {
    records_.erase(it);
    return 0;
  }
  return std::max<std::int64_t>(0, it->second.last_ms + delay_ms(it->second.failures) - now_ms);
}

void AttemptBudget::failed(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (records_.size() >= kMaxKeys) prune(now_ms);
  auto& r = records_[key];
  if (r.failures > 0 && now_ms - r.last_ms >= window_ms_) r.failures = 0;
  r.failures = std::min(r.failures + 1, free_ + 31);
  r.last_ms = now_ms;
}

void AttemptBudget::succeeded(const std::string& key) {
  std::lock_guard lock(mu_);
  records_.erase(key);
}

void AttemptBudget::prune(std::int64_t now_ms) {
  std::erase_if(records_, [&](const auto& kv) { return now_ms - kv.second.last_ms >= window_ms_; });
  if (records_.size() >= kMaxKeys) records_.clear();  // a flood of distinct keys: forget rather than grow
}

}  // namespace ambit::kernel
