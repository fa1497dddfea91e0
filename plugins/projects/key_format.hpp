#pragma once
// The shape of a project key: "amb_client_ck_" or "amb_server_sk_" followed
// by 32 base62 characters (190 bits of randomness). The display prefix is the
// type prefix plus the first 8 secret characters ("amb_client_ck_xxxxxxxx").

#include <string>
#include <string_view>

#include "ambit/sdk/keyring.hpp"

namespace projects {

inline constexpr std::size_t kTypePrefixChars = 14;
inline constexpr std::size_t kSecretChars = 32;
inline constexpr std::size_t kDisplayChars = kTypePrefixChars + 8;
inline constexpr const char* kHashPurpose = "projects";

/// key_type "client" or "server".
std::string generate_key(ambit::sdk::Keyring& keyring, std::string_view key_type);
bool claims_key(std::string_view token);
bool well_formed(std::string_view token);
std::string display_prefix(std::string_view key);
/// The keyed hash stored instead of the key.
std::string hash_key(ambit::sdk::Keyring& keyring, std::string_view key);

}  // namespace projects
