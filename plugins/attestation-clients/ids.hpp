#pragma once
// UUIDs (the seed's ids) and API client keys (32 lower-case hex characters).
#include <optional>
#include <string>
#include <string_view>

#include "ambit/sdk/keyring.hpp"

namespace attestation {

/// The lower-case canonical form of an 8-4-4-4-12 hex UUID, or nullopt.
std::optional<std::string> canonical_uuid(std::string_view text);
/// A random (version 4) UUID from the keyring's generator.
std::string new_uuid(ambit::sdk::Keyring& keyring);
/// An API client key: 128 random bits as 32 lower-case hex characters.
std::string new_client_key(ambit::sdk::Keyring& keyring);
bool is_client_key(std::string_view text);

}  // namespace attestation
