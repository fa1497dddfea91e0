#include "credentials.hpp"

#include <botan/base64.h>
#include <botan/hash.h>

#include <algorithm>

#include "ambit/sdk/tokens.hpp"

namespace oauth {

std::string new_secret(ambit::sdk::Keyring& keyring, std::string_view prefix) {
  return std::string(prefix) + ambit::sdk::random_base62(keyring, kSecretChars);
}

std::string new_id(ambit::sdk::Keyring& keyring, std::string_view prefix) {
  return std::string(prefix) + ambit::sdk::random_base62(keyring, 24);
}

bool has_secret_shape(std::string_view text, std::string_view prefix) {
  return text.size() == prefix.size() + kSecretChars && text.substr(0, prefix.size()) == prefix &&
         ambit::sdk::is_base62(text.substr(prefix.size()));
}

std::string secret_hash(ambit::sdk::Keyring& keyring, std::string_view secret) { return keyring.mac(kPurpose, secret); }

namespace {

bool is_base64url(char c) { return ambit::sdk::is_base62(c) || c == '-' || c == '_'; }

std::string base64url_sha256(std::string_view text) {
  auto sha = Botan::HashFunction::create_or_throw("SHA-256");
  sha->update(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  std::string b64 = Botan::base64_encode(sha->final());
  std::replace(b64.begin(), b64.end(), '+', '-');
  std::replace(b64.begin(), b64.end(), '/', '_');
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

}  // namespace

bool valid_code_challenge(std::string_view challenge) {
  return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), is_base64url);
}

bool pkce_s256_matches(std::string_view verifier, std::string_view challenge) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  bool unreserved = std::all_of(verifier.begin(), verifier.end(), [](char c) {
    return ambit::sdk::is_base62(c) || c == '-' || c == '.' || c == '_' || c == '~';
  });
  return unreserved && ambit::sdk::constant_time_equal(base64url_sha256(verifier), challenge);
}

}  // namespace oauth
