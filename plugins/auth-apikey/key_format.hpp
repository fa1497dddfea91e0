#pragma once
// The shape of an API key: "ak_live_" or "ak_test_" followed by 43 base62
// characters (256 bits of randomness). The display prefix is the first 14
// characters, as in the seed ("ak_live_abc123").

#include <string>
#include <string_view>

#include "ambit/sdk/keyring.hpp"

namespace apikey {

inline constexpr std::size_t kSecretChars = 43;
inline constexpr std::size_t kPrefixChars = 14;
inline constexpr const char* kHashPurpose = "auth-apikey";

/// "live" or "test".
std::string generate_key(ambit::sdk::Keyring& keyring, std::string_view environment);
bool claims_key(std::string_view token);
bool well_formed(std::string_view token);
std::string display_prefix(std::string_view key);
/// The keyed hash stored instead of the key.
std::string hash_key(ambit::sdk::Keyring& keyring, std::string_view key);

}  // namespace apikey
