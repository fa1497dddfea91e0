#include "util/ids.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <atomic>
#include <cstdio>
#include <random>

namespace ambit::kernel {

std::string new_uuid() {
  thread_local boost::uuids::random_generator gen;
  return boost::uuids::to_string(gen());
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4) out[static_cast<std::size_t>(half * 16 + i)] = hex[v & 15];
  }
  return out;
}

std::string new_time_ordered_id(std::int64_t ms) {
  static const std::string tag = new_request_id().substr(0, 8);
  static std::atomic<std::uint32_t> counter{0};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(12 + 1 + 8 + 1 + 8, '-');
  auto put = [&](std::size_t at, std::uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i, v >>= 4) out[at + static_cast<std::size_t>(i)] = hex[v & 15];
  };
  put(0, static_cast<std::uint64_t>(ms), 12);
  out.replace(13, 8, tag);
  put(22, counter.fetch_add(1, std::memory_order_relaxed), 8);
  return out;
}

}  // namespace ambit::kernel
