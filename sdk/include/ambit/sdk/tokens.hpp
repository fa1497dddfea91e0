#pragma once
// Random tokens and ids from the keyring's cryptographic generator, spelled
// the same way by every plugin.

#include <string>
#include <string_view>

#include "ambit/sdk/keyring.hpp"

namespace ambit::sdk {
inline namespace v1 {

inline bool is_base62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

inline bool is_base62(std::string_view s) {
  for (char c : s)
    if (!is_base62(c)) return false;
  return true;
}

/// `n` characters drawn uniformly from [0-9A-Za-z] (about 5.95 bits each).
inline std::string random_base62(Keyring& keyring, std::size_t n) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(n);
  // Rejection sampling keeps every symbol equally likely: 248 = 4 * 62.
  while (out.size() < n) {
    for (unsigned char b : keyring.random_bytes(n + 16)) {
      if (b >= 248) continue;
      out += kAlphabet[b % 62];
      if (out.size() == n) break;
    }
  }
  return out;
}

/// `prefix` followed by `bytes` random bytes in lower-case hex, e.g.
/// random_id(keyring, "prj_") -> "prj_3f9a...". Public ids, not secrets.
inline std::string random_id(Keyring& keyring, std::string_view prefix, std::size_t bytes = 12) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  for (unsigned char b : keyring.random_bytes(bytes)) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

}  // namespace v1
}  // namespace ambit::sdk
