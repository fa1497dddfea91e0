#pragma once
// The server-rendered sign-in, consent and error pages of /oauth/authorize:
// no external assets, framing forbidden (X-Frame-Options, CSP
// frame-ancestors), nothing cached.
#include <string>
#include <utility>
#include <vector>

#include "ambit/sdk/http.hpp"

namespace oauth {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct PageClient {
  std::string name;
  std::string redirect_host;
  std::string redirect_origin;  ///< allowed as a form-action: the approval redirects there
  std::string resource;         ///< RFC 8707: what the tokens will be for; "" for none named
};

/// Email and password. `hidden` carries the authorization request and the CSRF token.
ambit::sdk::Response login_page(const PageClient& client, const std::vector<std::string>& scopes, const Fields& hidden,
                                const std::string& error, int status = 200);
/// The workspace choice (when several), each scope in words, approve / deny.
ambit::sdk::Response consent_page(const PageClient& client, const std::vector<std::string>& scopes, const Fields& hidden,
                                  const std::string& email,
                                  const std::vector<std::pair<std::string, std::string>>& workspaces);
/// A request that cannot be sent back to the client (unknown client, a redirect URI not registered).
ambit::sdk::Response error_page(int status, const std::string& title, const std::string& message);

/// "projects:read" -> "See projects".
std::string scope_in_words(const std::string& scope);

}  // namespace oauth
