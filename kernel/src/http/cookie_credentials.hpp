#pragma once
// Browser session cookies as credentials (sdk::CookieCredential): which
// cookie a request presents, and whether the request may use it (this
// server's own pages, the CSRF token on unsafe methods).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/keyring.hpp"

namespace ambit::kernel {

/// The CSRF token of a cookie credential's token: a keyed hash under the
/// kernel's keyring purpose, so nothing is stored and every process agrees.
std::string csrf_token_for(sdk::Keyring& keyring, std::string_view cookie_token);

class CookieCredentials {
 public:
  /// Throws std::invalid_argument for an empty or malformed cookie name, an
  /// empty prefix, or a cookie name already registered.
  void add(sdk::CookieCredential credential);
  /// The keyring the CSRF tokens are checked with (set before serving).
  void set_keyring(sdk::Keyring* keyring) { keyring_ = keyring; }

  /// A token that may come only from its cookie, never from a header.
  bool cookie_only(std::string_view token) const;

  struct Presented {
    std::string_view token;  ///< valid while the request is
    std::string refusal;     ///< "" when it may be used, else "origin" or "csrf_token"
  };
  /// The first registered cookie the request carries, or nullopt.
  std::optional<Presented> presented(const sdk::Request& req, std::string_view public_url) const;

 private:
  std::vector<sdk::CookieCredential> list_;
  sdk::Keyring* keyring_ = nullptr;
};

}  // namespace ambit::kernel
