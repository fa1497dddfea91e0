#pragma once
// The kernel's clock: system time, optionally shifted by a number of
// milliseconds read from a file (config testing.clock_offset_file), so
// end-to-end tests can move time forward (expiry, grace windows) without
// sleeping. Never set that option in production.

#include <atomic>
#include <string>

#include "ambit/sdk/clock.hpp"

namespace ambit::kernel {

class SystemClock final : public sdk::Clock {
 public:
  explicit SystemClock(std::string offset_file = {}) : offset_file_(std::move(offset_file)) {}
  std::chrono::system_clock::time_point now() const override;
  void set_offset_file(std::string file) { offset_file_ = std::move(file); }

 private:
  std::string offset_file_;
  mutable std::atomic<std::int64_t> offset_ms_{0};
  mutable std::atomic<std::int64_t> next_read_ns_{0};
};

}  // namespace ambit::kernel
