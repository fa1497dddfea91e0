#include "redirect_uri.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <optional>

namespace oauth {
namespace {

/// The host of an http URI in lower case when it is exactly one of the
/// loopback names; nullopt otherwise.
std::optional<std::string> loopback_host(const boost::urls::url_view& u) {
  std::string host(u.encoded_host());
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (host == "localhost" || host == "127.0.0.1" || host == "[::1]") return host;
  return std::nullopt;
}

/// The parsed URI when it follows every rule but the host's.
std::optional<boost::urls::url_view> well_formed(const std::string& uri) {
  auto u = boost::urls::parse_absolute_uri(uri);
  if (!u || u->has_fragment() || !u->has_authority() || u->has_userinfo()) return std::nullopt;
  // The authority ends at '/', '?' or the end. Boost.URL takes the IPv4 or
  // IPv6 prefix of "127.0.0.1.evil" as the host and leaves ".evil" to the
  // path, where a browser sees the host 127.0.0.1.evil: refuse such a split.
  std::string path(u->encoded_path());
  if (!path.empty() && path.front() != '/') return std::nullopt;
  // A written port is 1 to 65535 digits' worth (port_number() wraps larger ones).
  if (u->has_port()) {
    std::string port(u->port());
    if (port.empty() || port.size() > 5 || std::stoul(port) == 0 || std::stoul(port) > 65535) return std::nullopt;
  }
  // No percent-encoded host: what the browser decodes is not what we compared.
  std::string host(u->encoded_host());
  if (host.empty() || host.find('%') != std::string::npos) return std::nullopt;
  return *u;
}

}  // namespace

bool allowed_redirect_uri(const std::string& uri) {
  auto u = well_formed(uri);
  if (!u) return false;
  // The scheme as written, lower case only: "HTTP://" is refused rather than normalized.
  if (u->scheme() == "https") return true;
  return u->scheme() == "http" && loopback_host(*u).has_value();
}

bool redirect_matches(const std::string& registered, const std::string& requested) {
  // Both checked again: a URI registered under older, laxer rules matches nothing.
  if (!allowed_redirect_uri(registered) || !allowed_redirect_uri(requested)) return false;
  if (registered == requested) return true;
  auto a = *well_formed(registered), b = *well_formed(requested);
  if (a.scheme() != "http" || b.scheme() != "http") return false;
  return loopback_host(a) == loopback_host(b) && a.encoded_path() == b.encoded_path() &&
         a.has_query() == b.has_query() && a.encoded_query() == b.encoded_query();
}

}  // namespace oauth
