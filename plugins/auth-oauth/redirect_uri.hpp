#pragma once
// Redirect URI rules (RFC 6749 3.1.2, RFC 8252 7.3, RFC 9700 2.1): which URIs a
// client may register, and which requested URI matches a registered one.
// Hosts are compared exactly, never by prefix or after decoding, so
// "127.0.0.1.evil" or "%31%32%37.0.0.1" are never taken for loopback.
#include <string>

namespace oauth {

/// A URI a client may register: https with a host, or http on exactly
/// `localhost`, `127.0.0.1` or `[::1]` (any port, the host in any case);
/// the scheme in lower case, no user info, no fragment, no percent-encoded
/// host, a port (when written) of 1 to 65535.
bool allowed_redirect_uri(const std::string& uri);

/// `requested` equals `registered` character for character, or both are
/// allowed http loopback URIs with the same host, path and query that differ
/// only in the port (native apps pick a free port at run time).
bool redirect_matches(const std::string& registered, const std::string& requested);

}  // namespace oauth
