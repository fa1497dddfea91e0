#pragma once
// SHA-256 for rollout buckets, value fingerprints and the version hash.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace remote_config {

using Digest = std::array<std::uint8_t, 32>;

/// SHA-256 of the concatenated parts (one hash object per thread: hot path).
Digest sha256(std::initializer_list<std::string_view> parts);
std::string hex(const std::uint8_t* data, std::size_t size);

}  // namespace remote_config
