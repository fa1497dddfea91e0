#pragma once
// Envelope encryption: a random 256-bit data key per project, sealed by the
// kernel keyring (so `ambit keyring rotate` re-wraps it without touching any
// value), and each value sealed with AES-256-GCM under that key with a random
// nonce. The associated data binds project, function, name and version: a
// ciphertext copied to another row does not open.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/keyring.hpp"

namespace secrets {

using DataKey = std::vector<std::uint8_t>;

DataKey new_data_key(ambit::sdk::Keyring& keyring);
std::string wrap_data_key(ambit::sdk::Keyring& keyring, const DataKey& key, const std::string& project_id);
/// Throws std::runtime_error when the wrapped key was altered.
DataKey unwrap_data_key(ambit::sdk::Keyring& keyring, const std::string& wrapped, const std::string& project_id);

std::string value_aad(std::string_view project_id, std::string_view function, std::string_view name, int version);
/// "v1." + base64(nonce | ciphertext | tag)
std::string seal_value(const DataKey& key, std::string_view plaintext, std::string_view aad);
/// Throws std::runtime_error when the ciphertext or its row was altered.
std::string open_value(const DataKey& key, std::string_view sealed, std::string_view aad);

}  // namespace secrets
