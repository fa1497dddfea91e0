#pragma once
// The keyring: envelope encryption with AES-256-GCM.
//
// A master key (AMBIT_MASTER_KEY or a 0600 key file) wraps one data key per
// purpose; the data keys live in the database, so rotating the master key
// re-wraps them without touching anything they sealed.

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
};

}  // namespace v1
}  // namespace ambit::sdk
