// server.trusted_proxies parsing and matching, and the client address read
// from X-Forwarded-For (kernel/src/http/client_address.hpp).
#include <gtest/gtest.h>

#include "http/client_address.hpp"

using namespace ambit::kernel;
namespace ip = boost::asio::ip;

namespace {
ip::address addr(const char* text) { return ip::make_address(text); }
}  // namespace

TEST(TrustedProxies, ParsesAddressesAndNetworksOfBothFamilies) {
  auto t = TrustedProxies::parse({"10.0.0.0/8", "192.0.2.1", " 172.16.0.0/12 ", "::1", "fd00::/8", "203.0.113.0/24"});
  EXPECT_TRUE(t.contains(addr("10.255.1.2")));
  EXPECT_FALSE(t.contains(addr("11.0.0.1")));
  EXPECT_TRUE(t.contains(addr("192.0.2.1")));
  EXPECT_FALSE(t.contains(addr("192.0.2.2")));
  EXPECT_TRUE(t.contains(addr("172.31.255.255")));
  EXPECT_FALSE(t.contains(addr("172.32.0.0")));
  EXPECT_TRUE(t.contains(addr("::1")));
  EXPECT_TRUE(t.contains(addr("fdab::1")));
  EXPECT_FALSE(t.contains(addr("fe80::1")));
  EXPECT_TRUE(t.contains(addr("203.0.113.200")));
  // An IPv4 peer seen through a dual-stack socket.
  EXPECT_TRUE(t.contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(t.contains(addr("::ffff:11.1.2.3")));
}

TEST(TrustedProxies, HostBitsOfANetworkAreIgnoredAndPrefixEdgesWork) {
  auto t = TrustedProxies::parse({"10.1.2.3/16", "2001:db8::1/127", "0.0.0.0/0"});
  EXPECT_TRUE(t.contains(addr("10.1.200.1")));
  EXPECT_TRUE(t.contains(addr("2001:db8::")));
  EXPECT_FALSE(t.contains(addr("2001:db8::2")));
  EXPECT_TRUE(t.contains(addr("198.51.100.1")));  // /0: every IPv4 address
  EXPECT_FALSE(t.contains(addr("2001:db9::")));   // but no IPv6 one
}

TEST(TrustedProxies, ABadEntryIsRefusedNamingItsIndexAndText) {
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "proxy.internal", "10.0.0.1/", "10.0.0.0/8x", "10.0.0.0/-1",
                          "", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "10.0.0.0/ 8"}) {
    SCOPED_TRACE(bad);
    try {
      TrustedProxies::parse({"127.0.0.1", bad});
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "server.trusted_proxies[1]: \"" + std::string(bad) + "\" is not an IP address or CIDR");
    }
  }
}

struct ClientCase {
  const char* name;
  const char* peer;
  std::vector<std::string_view> forwarded_for;
  const char* client;
};

TEST(ClientAddress, TakesTheRightmostUntrustedForwardedEntryOnlyFromATrustedPeer) {
  auto trusted = TrustedProxies::parse({"10.0.0.0/8", "fd00::/8"});
  std::vector<ClientCase> cases = {
      {"untrusted peer: header ignored", "203.0.113.5", {"198.51.100.7"}, "203.0.113.5"},
      {"trusted peer, no header", "10.0.0.2", {}, "10.0.0.2"},
      {"trusted peer, one hop", "10.0.0.2", {"198.51.100.7"}, "198.51.100.7"},
      {"forged left entries are skipped", "10.0.0.2", {"1.1.1.1, 2.2.2.2, 198.51.100.7"}, "198.51.100.7"},
      {"trusted hops skipped from the right", "10.0.0.2", {"198.51.100.7, 10.9.9.9, 10.0.0.3"}, "198.51.100.7"},
      {"several lines read as one list", "10.0.0.2", {"198.51.100.7", "10.1.1.1"}, "198.51.100.7"},
      {"last line is the nearest", "10.0.0.2", {"10.1.1.1", "198.51.100.8"}, "198.51.100.8"},
      {"all trusted: the leftmost", "10.0.0.2", {"10.3.3.3, 10.4.4.4"}, "10.3.3.3"},
      {"malformed rightmost: the peer", "10.0.0.2", {"198.51.100.7, bogus"}, "10.0.0.2"},
      {"malformed after trusted hop: the peer", "10.0.0.2", {"junk, 10.4.4.4"}, "10.0.0.2"},
      {"malformed left of the client is not read", "10.0.0.2", {"junk, 198.51.100.7"}, "198.51.100.7"},
      {"empty entry: the peer", "10.0.0.2", {"198.51.100.7, "}, "10.0.0.2"},
      {"empty header: the peer", "10.0.0.2", {""}, "10.0.0.2"},
      {"port is malformed", "10.0.0.2", {"198.51.100.7:4000"}, "10.0.0.2"},
      {"whitespace trimmed", "10.0.0.2", {" \t198.51.100.7 \t"}, "198.51.100.7"},
      {"ipv6 client", "fd00::1", {"2001:db8::7"}, "2001:db8::7"},
      {"mapped peer", "::ffff:10.0.0.2", {"198.51.100.7"}, "198.51.100.7"},
      {"mapped untrusted peer shown as ipv4", "::ffff:203.0.113.5", {"198.51.100.7"}, "203.0.113.5"},
      {"mapped forwarded entry shown as ipv4", "10.0.0.2", {"::ffff:198.51.100.7"}, "198.51.100.7"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(client_address(addr(c.peer), c.forwarded_for, trusted), c.client);
  }
}

TEST(ClientAddress, WithoutTrustedProxiesThePeerAlways) {
  TrustedProxies none;
  EXPECT_EQ(client_address(addr("127.0.0.1"), {"198.51.100.7"}, none), "127.0.0.1");
  EXPECT_EQ(client_address(addr("::ffff:127.0.0.1"), {}, none), "127.0.0.1");
}
