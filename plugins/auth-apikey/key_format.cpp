#include "key_format.hpp"

namespace apikey {
namespace {
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
}  // namespace

std::string generate_key(ambit::sdk::Keyring& keyring, std::string_view environment) {
  std::string out = environment == "test" ? "ak_test_" : "ak_live_";
  // Rejection sampling keeps every character uniform over the 62 symbols.
  while (out.size() < 8 + kSecretChars) {
    for (unsigned char b : keyring.random_bytes(64)) {
      if (b >= 248) continue;  // 248 = 4 * 62
      out += kAlphabet[b % 62];
      if (out.size() == 8 + kSecretChars) break;
    }
  }
  return out;
}

bool claims_key(std::string_view token) {
  return token.substr(0, 8) == "ak_live_" || token.substr(0, 8) == "ak_test_";
}

bool well_formed(std::string_view token) {
  if (!claims_key(token) || token.size() != 8 + kSecretChars) return false;
  for (char c : token.substr(8))
    if (!is_base62(c)) return false;
  return true;
}

std::string display_prefix(std::string_view key) { return std::string(key.substr(0, kPrefixChars)); }

std::string hash_key(ambit::sdk::Keyring& keyring, std::string_view key) { return keyring.mac(kHashPurpose, key); }

}  // namespace apikey
