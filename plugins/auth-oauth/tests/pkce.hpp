#pragma once
// The client side of PKCE for the OAuth tests: code_challenge = BASE64URL(SHA-256(verifier)).
#include <botan/base64.h>
#include <botan/hash.h>

#include <string>

inline std::string pkce_challenge(const std::string& verifier) {
  auto sha = Botan::HashFunction::create_or_throw("SHA-256");
  sha->update(verifier);
  std::string b64 = Botan::base64_encode(sha->final());
  for (auto& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}
