#include "util/ids.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

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

}  // namespace ambit::kernel
