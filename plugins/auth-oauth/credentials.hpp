#pragma once
// The plugin's secrets and ids: formats, generation, the keyring HMAC they
// are stored and found by, and the PKCE S256 check.
#include <string>
#include <string_view>

#include "ambit/sdk/keyring.hpp"

namespace oauth {

inline constexpr const char* kPurpose = "auth-oauth";       ///< keyring purpose (the plugin's own)
inline constexpr std::string_view kAccessPrefix = "amb_oat_";   ///< access tokens
inline constexpr std::string_view kRefreshPrefix = "amb_ort_";  ///< refresh tokens
inline constexpr std::string_view kCodePrefix = "amb_oac_";     ///< authorization codes
inline constexpr std::string_view kClientPrefix = "mcp_";       ///< client ids (seed)
inline constexpr std::string_view kSecretPrefix = "mcs_";       ///< client secrets
inline constexpr std::size_t kSecretChars = 43;                 ///< base62: 256 bits

/// prefix + 43 random base62 characters (256 bits).
std::string new_secret(ambit::sdk::Keyring& keyring, std::string_view prefix);
/// A public id: prefix + 24 base62 characters.
std::string new_id(ambit::sdk::Keyring& keyring, std::string_view prefix);
/// prefix followed by exactly 43 base62 characters.
bool has_secret_shape(std::string_view text, std::string_view prefix);
/// The keyring HMAC a secret is stored and looked up by.
std::string secret_hash(ambit::sdk::Keyring& keyring, std::string_view secret);

/// A code_challenge for S256: 43 characters of base64url (a SHA-256).
bool valid_code_challenge(std::string_view challenge);
/// RFC 7636: verifier is 43-128 characters of [A-Za-z0-9-._~] and
/// BASE64URL(SHA-256(verifier)) equals the challenge.
bool pkce_s256_matches(std::string_view verifier, std::string_view challenge);

}  // namespace oauth
