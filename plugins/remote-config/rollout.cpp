#include "rollout.hpp"

#include <cmath>

#include "digest.hpp"

namespace remote_config {

std::uint64_t rollout_hash(std::string_view text) {
  Digest d = sha256({text});
  std::uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | d[static_cast<std::size_t>(i)];
  return h;
}

std::uint32_t rollout_bucket(std::uint64_t key_hash, std::uint64_t user_hash) {
  // The splitmix64 finalizer: every input bit affects every output bit.
  std::uint64_t z = key_hash ^ user_hash;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<std::uint32_t>(z % 10000);
}

std::uint32_t rollout_threshold(double percentage) {
  return static_cast<std::uint32_t>(std::lround(percentage * 100.0));
}

}  // namespace remote_config
