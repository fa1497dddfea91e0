#pragma once
// The clock every plugin reads time from, so tests can move time instead of sleeping.

#include <chrono>
#include <cstdint>

namespace ambit::sdk {
inline namespace v1 {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  /// Milliseconds since the Unix epoch: the unit of every timestamp column.
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
};

}  // namespace v1
}  // namespace ambit::sdk
