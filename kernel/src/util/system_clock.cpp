#include "util/system_clock.hpp"

#include <fstream>

namespace ambit::kernel {

std::chrono::system_clock::time_point SystemClock::now() const {
  auto wall = std::chrono::system_clock::now();
  if (offset_file_.empty()) return wall;
  // Re-read the offset at most every 20 ms.
  std::int64_t mono = std::chrono::steady_clock::now().time_since_epoch().count();
  if (mono >= next_read_ns_.load(std::memory_order_relaxed)) {
    next_read_ns_.store(mono + 20'000'000, std::memory_order_relaxed);
    std::ifstream in(offset_file_);
    std::int64_t ms = 0;
    if (in >> ms) offset_ms_.store(ms, std::memory_order_relaxed);
  }
  return wall + std::chrono::milliseconds(offset_ms_.load(std::memory_order_relaxed));
}

}  // namespace ambit::kernel
