#include "http/cookie_credentials.hpp"

#include <stdexcept>

namespace ambit::kernel {

namespace {

bool token_char(char c) {  // RFC 6265 cookie-name: an RFC 7230 token
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safe_method(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

std::string csrf_token_for(sdk::Keyring& keyring, std::string_view cookie_token) {
  std::string data = "csrf\n";
  data += cookie_token;
  return keyring.mac("kernel.identity", data);
}

void CookieCredentials::add(sdk::CookieCredential credential) {
  if (credential.cookie.empty())
    throw std::invalid_argument("add_cookie_credential: the cookie name is empty");
  for (char c : credential.cookie)
    if (!token_char(c)) throw std::invalid_argument("add_cookie_credential: malformed cookie name " + credential.cookie);
  if (credential.token_prefix.empty())
    throw std::invalid_argument("add_cookie_credential: the token prefix is empty");
  for (auto& c : list_)
    if (c.cookie == credential.cookie)
      throw std::invalid_argument("add_cookie_credential: cookie " + credential.cookie + " is registered twice");
  list_.push_back(std::move(credential));
}

bool CookieCredentials::cookie_only(std::string_view token) const {
  for (auto& c : list_)
    if (token.starts_with(c.token_prefix)) return true;
  return false;
}

std::optional<CookieCredentials::Presented> CookieCredentials::presented(const sdk::Request& req,
                                                                        std::string_view public_url) const {
  if (list_.empty()) return std::nullopt;
  for (auto& c : list_) {
    auto value = sdk::cookie(req, c.cookie);
    if (!value || value->empty()) continue;
    Presented p{*value, {}};
    bool safe = safe_method(req.method);
    if (!sdk::from_own_origin(req, public_url, !safe)) {
      p.refusal = "origin";
    } else if (!safe) {
      auto sent = req.header("X-CSRF-Token");
      if (!sent || !keyring_ || !sdk::constant_time_equal(*sent, csrf_token_for(*keyring_, p.token)))
        p.refusal = "csrf_token";
    }
    return p;
  }
  return std::nullopt;
}

}  // namespace ambit::kernel
