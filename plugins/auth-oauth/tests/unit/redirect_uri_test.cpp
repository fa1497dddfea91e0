// The redirect URI rules on their own, without a server: hostile URIs that
// look like loopback (or hide another host) are refused at registration and
// match nothing at authorization.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redirect_uri.hpp"

namespace {

// Each would send the code, or an error, somewhere else than the loopback
// interface or the registered host, or is not written in the one canonical form.
const std::vector<std::string> kHostile = {
    "http://127.0.0.1.evil/cb",
    "http://127.0.0.1.example.test:8765/cb",
    "http://localhost.evil/cb",
    "http://localhost.example.test:3000/cb",
    "http://127.0.0.1@evil/cb",
    "http://evil@127.0.0.1/cb",
    "http://@127.0.0.1/cb",
    "http://user:pass@localhost/cb",
    "http://[::1].evil/",
    "http://[::ffff:127.0.0.1]/cb",
    "http://[0:0:0:0:0:0:0:1]/cb",
    "http://%31%32%37.0.0.1/cb",
    "http://127.0.0.1%2eevil/cb",
    "http://localhost%00.evil/cb",
    "http://LOCALHOST./cb",
    "http://localhost./cb",
    "http://127.0.0.1./cb",
    "http://0x7f000001/cb",
    "http://2130706433/cb",
    "http://0177.0.0.1/cb",
    "http://127.1/cb",
    "http://127.0.0.2/cb",
    "http://0.0.0.0/cb",
    "HTTP://127.0.0.1/cb",
    "Http://localhost/cb",
    "HTTPS://app.example/cb",
    "http://127.0.0.1\\@evil/cb",
    "http://127.0.0.1 /cb",
    "http://127.0.0.1:99999/cb",
    "http://127.0.0.1:/cb",
    "http://127.0.0.1/cb#frag",
    "http:/127.0.0.1/cb",
    "http:127.0.0.1/cb",
    "//127.0.0.1/cb",
    "/cb",
    "http://evil.example/cb",
    "https://user@app.example/cb",
    "https://%61pp.example/cb",
    "https:///cb",
    "javascript://127.0.0.1/%0aalert(1)",
    "file://localhost/etc/passwd",
    "myapp:/cb",
    "",
};

const std::vector<std::string> kAllowed = {
    "http://127.0.0.1/cb",      "http://127.0.0.1:8765/callback", "http://localhost:3000/cb",
    "http://LOCALHOST:3000/cb", "http://[::1]/cb",                "http://[::1]:9000/cb?x=1",
    "https://app.example/cb",   "https://app.example:8443/cb?x=1",
};

TEST(RedirectUri, HostileUrisAreRefusedAtRegistration) {
  for (const auto& uri : kHostile) EXPECT_FALSE(oauth::allowed_redirect_uri(uri)) << uri;
  for (const auto& uri : kAllowed) EXPECT_TRUE(oauth::allowed_redirect_uri(uri)) << uri;
}

TEST(RedirectUri, HostileUrisMatchNoRegisteredUri) {
  for (const auto& registered : kAllowed)
    for (const auto& uri : kHostile) EXPECT_FALSE(oauth::redirect_matches(registered, uri)) << registered << " " << uri;
  // A hostile URI stored under older rules matches nothing, itself included.
  for (const auto& uri : kHostile) EXPECT_FALSE(oauth::redirect_matches(uri, uri)) << uri;
}

TEST(RedirectUri, LoopbackMatchesOnAnyPortOnly) {
  EXPECT_TRUE(oauth::redirect_matches("http://127.0.0.1:8765/callback", "http://127.0.0.1:5555/callback"));
  EXPECT_TRUE(oauth::redirect_matches("http://127.0.0.1:8765/callback", "http://127.0.0.1/callback"));
  EXPECT_TRUE(oauth::redirect_matches("http://[::1]/cb?x=1", "http://[::1]:4000/cb?x=1"));
  EXPECT_TRUE(oauth::redirect_matches("http://LOCALHOST:3000/cb", "http://localhost:5555/cb"));
  EXPECT_FALSE(oauth::redirect_matches("http://127.0.0.1:8765/callback", "http://127.0.0.1:5555/elsewhere"));
  EXPECT_FALSE(oauth::redirect_matches("http://127.0.0.1:8765/callback", "http://localhost:8765/callback"));
  EXPECT_FALSE(oauth::redirect_matches("http://127.0.0.1/cb", "http://127.0.0.1/cb?x=1"));
  EXPECT_FALSE(oauth::redirect_matches("http://127.0.0.1/cb?", "http://127.0.0.1/cb"));
  EXPECT_FALSE(oauth::redirect_matches("https://app.example/cb", "https://app.example:8443/cb"));
  EXPECT_FALSE(oauth::redirect_matches("https://app.example/cb", "https://APP.example/cb"));
  EXPECT_TRUE(oauth::redirect_matches("https://app.example/cb", "https://app.example/cb"));
}

}  // namespace
