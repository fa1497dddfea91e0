#pragma once
// Percentage rollouts. For a key and a user:
//   key_hash  = first 8 bytes of SHA-256(key), big-endian
//   user_hash = first 8 bytes of SHA-256(user_id), big-endian
//   bucket    = splitmix64_finalizer(key_hash XOR user_hash) mod 10000
// and a condition with percentage p matches when bucket < round(p * 100).
// The bucket depends on nothing else: a user is sticky for a key, raising p
// only adds users, conditions on one key nest, and keys are independent.
// One SHA-256 per request (the user's), whatever the number of keys.

#include <cstdint>
#include <string_view>

namespace remote_config {

std::uint64_t rollout_hash(std::string_view text);
std::uint32_t rollout_bucket(std::uint64_t key_hash, std::uint64_t user_hash);
/// percentage 0..100 (two decimals count) -> the bucket threshold 0..10000.
std::uint32_t rollout_threshold(double percentage);

}  // namespace remote_config
