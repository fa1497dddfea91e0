#pragma once
// Percentage rollouts. A user's bucket for a key is
//   bucket = (first 4 bytes of SHA-256(key + ":" + user_id), big-endian) mod 10000
// and a condition with percentage p matches when bucket < round(p * 100).
// The bucket depends on nothing else: a user is sticky for a key, raising p
// only adds users, and two conditions on one key nest.

#include <cstdint>
#include <string_view>

namespace remote_config {

std::uint32_t rollout_bucket(std::string_view key, std::string_view user_id);
/// percentage 0..100 (two decimals count) -> the bucket threshold 0..10000.
std::uint32_t rollout_threshold(double percentage);

}  // namespace remote_config
