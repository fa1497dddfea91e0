#include "http/client_address.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

namespace ambit::kernel {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_address(std::string_view text) {
  // A zone ("fe80::1%eth0") names an interface of this host, never a client.
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

void clear_host_bits(IpNetwork& n) {
  const unsigned width = n.v6 ? 128 : 32;
  for (unsigned bit = n.prefix; bit < width; ++bit)
    n.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
}

IpNetwork network_of(const ip::address& a, unsigned prefix) {
  IpNetwork n;
  n.v6 = a.is_v6();
  n.prefix = prefix;
  if (n.v6) {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), n.bytes.begin());
  } else {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), n.bytes.begin());
  }
  clear_host_bits(n);
  return n;
}

std::optional<IpNetwork> parse_network(std::string_view text) {
  auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned width = address->is_v6() ? 128 : 32;
  unsigned prefix = width;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix > width)
      return std::nullopt;
  }
  return network_of(*address, prefix);
}

}  // namespace

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

bool IpNetwork::contains(const ip::address& raw) const {
  auto a = unmapped(raw);
  if (a.is_v6() != v6) return false;
  auto candidate = network_of(a, prefix);
  return candidate.bytes == bytes;
}

TrustedProxies TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto network = parse_network(trim(entries[i]));
    if (!network)
      throw std::invalid_argument("server.trusted_proxies[" + std::to_string(i) + "]: \"" + entries[i] +
                                  "\" is not an IP address or CIDR");
    out.networks_.push_back(*network);
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& a) const {
  for (auto& n : networks_)
    if (n.contains(a)) return true;
  return false;
}

std::string client_address(const ip::address& raw_peer, const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted) {
  auto peer = unmapped(raw_peer);
  if (trusted.empty() || !trusted.contains(peer)) return peer.to_string();
  std::optional<ip::address> leftmost;
  // Right to left: the last line first, each line's last entry first.
  for (auto line = forwarded_for.rbegin(); line != forwarded_for.rend(); ++line) {
    std::string_view rest = *line;
    while (true) {
      auto comma = rest.rfind(',');
      auto entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      auto hop = parse_address(entry);
      if (!hop) return peer.to_string();
      if (!trusted.contains(*hop)) return hop->to_string();
      leftmost = hop;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return (leftmost ? *leftmost : peer).to_string();
}

}  // namespace ambit::kernel
