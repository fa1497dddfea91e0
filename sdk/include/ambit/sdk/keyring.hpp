#pragma once
// The keyring: envelope encryption with AES-256-GCM.
//
// A master key (AMBIT_MASTER_KEY or a 0600 key file) wraps one data key per
// purpose; the data keys live in the database, so rotating the master key
// re-wraps them without touching anything they sealed.
//
// The purpose named like your plugin exists before start() (the kernel
// creates it after migrations). Any other purpose is created on first use in
// a transaction of its own: on SQLite, use it first outside your own
// transactions (e.g. in start()), since a second writer waits for the first.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ambit::sdk {
inline namespace v1 {

class Keyring {
 public:
  virtual ~Keyring() = default;
  /// Encrypt with the purpose's data key. `aad` (e.g. the row id) is
  /// authenticated, not stored: open() needs the same value. Returns text
  /// safe for a TEXT column: "v1.<key id>.<base64 nonce|ciphertext|tag>".
  virtual std::string seal(std::string_view purpose, std::string_view plaintext, std::string_view aad) = 0;
  /// Decrypt; throws std::runtime_error when the value was altered, the aad
  /// differs, or the key is unknown.
  virtual std::string open(std::string_view purpose, std::string_view sealed, std::string_view aad) = 0;
  /// A stable secret derived from the purpose's data key (HKDF-SHA-256), e.g.
  /// an HMAC pepper. Unchanged by master key rotation.
  virtual std::vector<std::uint8_t> derive_key(std::string_view purpose, std::string_view label,
                                               std::size_t length = 32) = 0;
  /// HMAC-SHA-256 of `data` under a key derived from the purpose's data key,
  /// lower-case hex. For storing lookups of high-entropy secrets (API keys).
  virtual std::string mac(std::string_view purpose, std::string_view data) = 0;
  /// `n` bytes from the system's cryptographic random generator.
  virtual std::string random_bytes(std::size_t n) = 0;
};

/// Compare secrets without leaking where they differ.
inline bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace v1
}  // namespace ambit::sdk
