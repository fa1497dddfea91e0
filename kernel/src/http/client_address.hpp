#pragma once
// The client address of a request (sdk::Request::remote_address): the TCP
// peer, unless the peer is one of `server.trusted_proxies`. Then the
// X-Forwarded-For list is read from the right, skipping trusted proxies; the
// first untrusted address is the client (the rightmost untrusted one, the
// only one a trusted proxy vouches for: everything to its left came from the
// client and may be forged). Without trusted proxies, X-Forwarded-For is
// never read.

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ambit::kernel {

/// One trusted entry: an address and a prefix length (an IP is a /32 or /128).
struct IpNetwork {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  ///< v4 in the first 4 bytes; host bits cleared
  unsigned prefix = 0;

  bool contains(const boost::asio::ip::address& a) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  /// Parses "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". Throws
  /// std::invalid_argument naming the first bad entry:
  /// `server.trusted_proxies[1]: "10.0.0.0/33" is not an IP address or CIDR`.
  static TrustedProxies parse(const std::vector<std::string>& entries);

  bool empty() const { return networks_.empty(); }
  bool contains(const boost::asio::ip::address& a) const;

 private:
  std::vector<IpNetwork> networks_;
};

/// "1.2.3.4" for both 1.2.3.4 and the IPv4-mapped ::ffff:1.2.3.4 (a dual-stack
/// listener reports IPv4 peers that way).
boost::asio::ip::address unmapped(const boost::asio::ip::address& a);

/// The client address for a request from `peer` carrying the X-Forwarded-For
/// field lines `forwarded_for` (in order; each a comma-separated list). A
/// malformed entry met while walking the list gives the peer; a list of
/// trusted proxies only gives its leftmost entry.
std::string client_address(const boost::asio::ip::address& peer, const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted);

}  // namespace ambit::kernel
