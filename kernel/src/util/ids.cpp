#include "util/ids.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <algorithm>
#include <atomic>
#include <random>

namespace ambit::kernel {
namespace {

/// Write the low `digits` hex digits of `v` into out[at, at + digits).
void write_hex(std::string& out, std::size_t at, std::uint64_t v, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[at + static_cast<std::size_t>(i)] = hex[v & 15];
}

}  // namespace

std::string new_uuid() {
  thread_local boost::uuids::random_generator gen;
  return boost::uuids::to_string(gen());
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out(32, '0');
  write_hex(out, 0, rng(), 16);
  write_hex(out, 16, rng(), 16);
  return out;
}

std::string new_time_ordered_id(std::int64_t ms) {
  static const std::string tag = new_request_id().substr(0, 8);
  static std::atomic<std::uint32_t> counter{0};
  std::string out(12 + 1 + 8 + 1 + 8, '-');
  write_hex(out, 0, static_cast<std::uint64_t>(ms), 12);
  out.replace(13, 8, tag);
  write_hex(out, 22, counter.fetch_add(1, std::memory_order_relaxed), 8);
  return out;
}

std::string time_ordered_id_floor(std::int64_t ms) {
  std::string out(12, '0');
  write_hex(out, 0, static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0)), 12);
  return out;
}

}  // namespace ambit::kernel
