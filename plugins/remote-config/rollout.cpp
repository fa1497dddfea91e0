#include "rollout.hpp"

#include <cmath>

#include "digest.hpp"

namespace remote_config {

std::uint32_t rollout_bucket(std::string_view key, std::string_view user_id) {
  Digest d = sha256({key, ":", user_id});
  std::uint32_t first = (std::uint32_t{d[0]} << 24) | (std::uint32_t{d[1]} << 16) | (std::uint32_t{d[2]} << 8) |
                        std::uint32_t{d[3]};
  return first % 10000;
}

std::uint32_t rollout_threshold(double percentage) {
  return static_cast<std::uint32_t>(std::lround(percentage * 100.0));
}

}  // namespace remote_config
