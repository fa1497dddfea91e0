// The client address (Request::remote_address) through the real binary, as
// the access log reports it: the TCP peer unless the peer is a trusted proxy;
// X-Forwarded-For from anyone else is ignored. A bad trusted_proxies entry
// stops the start, and `ambit check` reports it.
#include <gtest/gtest.h>

#include <sstream>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;

namespace {

/// The access log's "client" of the request with `request_id`.
std::string logged_client(ServerProcess& server, const std::string& request_id) {
  std::string needle = "\"request_id\":\"" + request_id + "\"";
  if (!server.wait_for_log(needle, 5s)) return "(no access log line)";
  std::istringstream lines(server.log());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(needle) == std::string::npos || line.find("\"msg\":\"request\"") == std::string::npos) continue;
    auto entry = boost::json::parse(line).as_object();
    auto* client = entry.if_contains("client");
    return client ? str(*client) : "(no client field)";
  }
  return "(no access log line)";
}

std::string client_seen(ServerProcess& server, const std::string& id, const Headers& extra) {
  Headers headers = extra;
  headers.emplace_back("X-Request-Id", id);
  EXPECT_EQ(http(server.port(), "GET", "/healthz", headers).status, 200);
  return logged_client(server, id);
}

boost::json::object server_settings(boost::json::array trusted) {
  return {{"access_log", true}, {"trusted_proxies", std::move(trusted)}};
}

}  // namespace

TEST(HttpClientAddress, AForgedForwardedForFromAnUntrustedPeerIsIgnored) {
  TempDir dir;
  // Trusted: another network, not the loopback peer of this test.
  ServerProcess server(write_config(dir, e2e_config(dir, sqlite_url(dir), {}, server_settings({"10.0.0.0/8"}))));
  EXPECT_EQ(client_seen(server, "forged-1", {{"X-Forwarded-For", "203.0.113.9"}}), "127.0.0.1");
  EXPECT_EQ(client_seen(server, "forged-2", {{"X-Forwarded-For", "10.1.2.3, 203.0.113.9"}}), "127.0.0.1");
  EXPECT_EQ(client_seen(server, "plain", {}), "127.0.0.1");
}

TEST(HttpClientAddress, WithoutTrustedProxiesForwardedForIsNeverRead) {
  TempDir dir;
  ServerProcess server(write_config(dir, e2e_config(dir, sqlite_url(dir), {}, server_settings({}))));
  EXPECT_EQ(client_seen(server, "none-1", {{"X-Forwarded-For", "203.0.113.9"}}), "127.0.0.1");
}

TEST(HttpClientAddress, BehindATrustedProxyTheRightmostUntrustedAddressIsTheClient) {
  TempDir dir;
  ServerProcess server(
      write_config(dir, e2e_config(dir, sqlite_url(dir), {}, server_settings({"127.0.0.1", "192.0.2.0/24"}))));
  // The client forged the left entry; the proxy appended what it saw.
  EXPECT_EQ(client_seen(server, "proxied-1", {{"X-Forwarded-For", "203.0.113.9, 198.51.100.7"}}), "198.51.100.7");
  // A second trusted hop is skipped.
  EXPECT_EQ(client_seen(server, "proxied-2", {{"X-Forwarded-For", "198.51.100.7, 192.0.2.10"}}), "198.51.100.7");
  EXPECT_EQ(client_seen(server, "proxied-v6", {{"X-Forwarded-For", "2001:db8::7"}}), "2001:db8::7");
  // Malformed: the peer.
  EXPECT_EQ(client_seen(server, "proxied-bad", {{"X-Forwarded-For", "198.51.100.7, not-an-ip"}}), "127.0.0.1");
  EXPECT_EQ(client_seen(server, "proxied-none", {}), "127.0.0.1");
}

TEST(HttpClientAddress, AForwardedForInATrailerIsNotRead) {
  TempDir dir;
  ServerProcess server(write_config(
      dir, e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}}, server_settings({"127.0.0.1"}))));
  const std::string body = R"({"count":0})";
  auto raw = raw_exchange(server.port(),
                          "POST /testkit/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: trailer-1\r\n"
                          "X-Forwarded-For: 198.51.100.7\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\nb\r\n" + body +
                              "\r\n0\r\nX-Forwarded-For: 203.0.113.66\r\n\r\n",
                          5s);
  EXPECT_EQ(raw.rfind("HTTP/1.1 201", 0), 0u) << raw;
  EXPECT_EQ(logged_client(server, "trailer-1"), "198.51.100.7");
}

TEST(HttpClientAddress, ABadTrustedProxyEntryIsAStartupErrorNamingIt) {
  for (std::string bad : {"10.0.0.0/33", "fd00::/129", "proxy.internal", "10.0.0.1/", "10.0.0.0/8x"}) {
    SCOPED_TRACE(bad);
    TempDir dir;
    auto file = write_config(dir, e2e_config(dir, sqlite_url(dir), {}, server_settings({"127.0.0.1", bad.c_str()})));
    auto run = run_ambit({"serve", "--config", file}, {{"AMBIT_LISTEN", "127.0.0.1:0"}}, std::chrono::seconds(30));
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("server.trusted_proxies[1]: \"" + bad + "\""), std::string::npos) << run.err;
    auto check = run_ambit({"check", "--config", file}, {}, std::chrono::seconds(30));
    EXPECT_EQ(check.exit_code, 1) << check.out;
    EXPECT_NE(check.out.find("error: server.trusted_proxies[1]: \"" + bad + "\""), std::string::npos) << check.out;
  }
}
