#pragma once
// RFC 8707 resource indicators: which resources of this server a client may
// ask a token for, and the one spelling each is stored and compared in.
#include <optional>
#include <string>
#include <string_view>

namespace oauth {

/// The canonical form of `resource` when it names a resource of this server,
/// else nullopt (the caller answers invalid_target). A resource of this
/// server is an absolute http(s) URI without user info, query or fragment,
/// of the origin of `public_url` (scheme and host in any case, the port
/// written or implied), whose path is public_url's path or below it (at a
/// '/' boundary), without "." or ".." segments. The canonical form is
/// public_url's origin as public_url writes it followed by the path as the
/// resource writes it, trailing slashes removed: with public_url
/// "https://api.example", "https://API.example:443/mcp/" is
/// "https://api.example/mcp", and "https://api.example/" is
/// "https://api.example".
std::optional<std::string> canonical_resource(std::string_view resource, std::string_view public_url);

/// The error_description of an invalid_target for a resource that is not
/// one of this server's.
std::string resource_rule(std::string_view public_url);

}  // namespace oauth
