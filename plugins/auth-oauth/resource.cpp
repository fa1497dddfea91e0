#include "resource.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <cctype>

namespace oauth {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// An http(s) URI's scheme, host and port, compared as RFC 3986 6.2 says.
struct Origin {
  std::string scheme, host;
  unsigned long port = 0;
  bool operator==(const Origin&) const = default;
};

/// The parsed absolute http(s) URI and its origin, when it has the shape
/// every resource needs: a host that is not percent-encoded, no user info,
/// a path that is empty or starts with '/', a written port of 1 to 65535.
std::optional<std::pair<boost::urls::url_view, Origin>> parse_http(std::string_view text) {
  // parse_uri (not parse_absolute_uri) so that a fragment parses, and is refused below.
  auto u = boost::urls::parse_uri(text);
  if (!u || !u->has_authority() || u->has_userinfo()) return std::nullopt;
  Origin o{lower(u->scheme()), lower(u->encoded_host()), 0};
  if (o.scheme != "http" && o.scheme != "https") return std::nullopt;
  if (o.host.empty() || o.host.find('%') != std::string::npos) return std::nullopt;
  // Boost.URL takes the IPv4 prefix of "127.0.0.1.evil" as the host and the
  // rest as the path: the authority must end at '/', '?', '#' or the end.
  std::string_view path = u->encoded_path();
  if (!path.empty() && path.front() != '/') return std::nullopt;
  if (u->has_port()) {
    std::string_view port = u->port();
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    o.port = std::stoul(std::string(port));
    if (o.port == 0 || o.port > 65535) return std::nullopt;
  } else {
    o.port = o.scheme == "https" ? 443 : 80;
  }
  return std::pair{*u, o};
}

std::string_view without_trailing_slashes(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::optional<std::string> canonical_resource(std::string_view resource, std::string_view public_url) {
  auto server = parse_http(public_url);
  auto asked = parse_http(resource);
  // public_url has no query or fragment: what precedes its path is its origin.
  if (!server || server->first.has_query() || server->first.has_fragment() || !asked) return std::nullopt;
  const auto& u = asked->first;
  if (u.has_fragment() || u.has_query()) return std::nullopt;
  if (!(asked->second == server->second)) return std::nullopt;
  // No dot segments, written or percent-encoded: "/mcp/../admin" is not below
  // "/mcp". Read from the path as written (Boost.URL's segments() hides a leading "/.").
  std::string_view rest = u.encoded_path();
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    auto segment = lower(rest.substr(0, rest.find('/')));
    if (segment == "." || segment == ".." || segment == "%2e" || segment == "%2e%2e" || segment == ".%2e" ||
        segment == "%2e.")
      return std::nullopt;
    rest.remove_prefix(std::min(rest.size(), rest.find('/')));
  }
  std::string_view base = without_trailing_slashes(server->first.encoded_path());
  std::string_view path = without_trailing_slashes(u.encoded_path());
  bool below = path == base || (path.size() > base.size() && path.substr(0, base.size()) == base && path[base.size()] == '/');
  if (!below) return std::nullopt;
  std::string_view origin = public_url.substr(0, public_url.size() - server->first.encoded_path().size());
  return std::string(origin) + std::string(path);
}

std::string resource_rule(std::string_view public_url) {
  return "resource must be an absolute URI of this server (" + std::string(public_url) +
         " or a path below it), without a query or fragment";
}

}  // namespace oauth
