#include "key_format.hpp"

#include "ambit/sdk/tokens.hpp"

namespace apikey {

std::string generate_key(ambit::sdk::Keyring& keyring, std::string_view environment) {
  std::string prefix = environment == "test" ? "ak_test_" : "ak_live_";
  return prefix + ambit::sdk::random_base62(keyring, kSecretChars);
}

bool claims_key(std::string_view token) {
  return token.substr(0, 8) == "ak_live_" || token.substr(0, 8) == "ak_test_";
}

bool well_formed(std::string_view token) {
  return claims_key(token) && token.size() == 8 + kSecretChars && ambit::sdk::is_base62(token.substr(8));
}

std::string display_prefix(std::string_view key) { return std::string(key.substr(0, kPrefixChars)); }

std::string hash_key(ambit::sdk::Keyring& keyring, std::string_view key) { return keyring.mac(kHashPurpose, key); }

}  // namespace apikey
