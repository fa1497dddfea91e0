#pragma once
#include "ambit/sdk/clock.hpp"

namespace ambit::kernel {
class SystemClock final : public sdk::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};
}  // namespace ambit::kernel
