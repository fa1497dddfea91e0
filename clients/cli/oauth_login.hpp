#pragma once
// `ambit login`: OAuth 2.1 authorization code with PKCE through the
// server's own authorization server, as `gh auth login` does: a client
// registered for this CLI (RFC 7591), a redirect to a loopback port chosen
// now (RFC 8252), the browser opened when there is one, the URL printed
// either way. `ambit logout` revokes the tokens (RFC 7009).

#include <boost/json.hpp>

#include <string>

namespace ambit::cli {

struct LoginOptions {
  std::string url;          ///< the server
  bool open_browser = true;  ///< --no-browser: only print the URL
};

/// Runs the flow; returns the profile's "auth" object ({"type": "oauth", ...}).
/// Throws CliError.
boost::json::object oauth_login(const LoginOptions& options);

/// Revokes the refresh and access tokens of `auth` (best effort: a server
/// that is gone cannot be told, and the tokens are forgotten anyway).
/// Returns false when the server did not confirm.
bool oauth_logout(const boost::json::object& auth);

}  // namespace ambit::cli
