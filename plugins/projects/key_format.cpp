#include "key_format.hpp"

#include "ambit/sdk/tokens.hpp"

namespace projects {
namespace {
constexpr std::string_view kClientPrefix = "amb_client_ck_";
constexpr std::string_view kServerPrefix = "amb_server_sk_";
}  // namespace

std::string generate_key(ambit::sdk::Keyring& keyring, std::string_view key_type) {
  std::string key(key_type == "server" ? kServerPrefix : kClientPrefix);
  return key + ambit::sdk::random_base62(keyring, kSecretChars);
}

bool claims_key(std::string_view token) {
  auto prefix = token.substr(0, kTypePrefixChars);
  return prefix == kClientPrefix || prefix == kServerPrefix;
}

bool well_formed(std::string_view token) {
  return claims_key(token) && token.size() == kTypePrefixChars + kSecretChars &&
         ambit::sdk::is_base62(token.substr(kTypePrefixChars));
}

std::string display_prefix(std::string_view key) { return std::string(key.substr(0, kDisplayChars)); }

std::string hash_key(ambit::sdk::Keyring& keyring, std::string_view key) { return keyring.mac(kHashPurpose, key); }

}  // namespace projects
