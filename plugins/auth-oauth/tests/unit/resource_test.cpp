// RFC 8707 resource indicators on their own, without a server: which URIs
// name a resource of this server, and the one spelling each is stored in.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resource.hpp"

namespace {

using oauth::canonical_resource;

const std::string kServer = "http://127.0.0.1:8080";

TEST(Resource, TheServerAndItsPathsAreCanonicalizedToThePublicUrlsSpelling) {
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080/mcp", kServer), "http://127.0.0.1:8080/mcp");
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080", kServer), "http://127.0.0.1:8080");
  // A trailing slash names the same resource: what new URL() gives for the bare origin.
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080/", kServer), "http://127.0.0.1:8080");
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080/mcp/", kServer), "http://127.0.0.1:8080/mcp");
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080/mcp//", kServer), "http://127.0.0.1:8080/mcp");
  EXPECT_EQ(canonical_resource("http://127.0.0.1:8080/mcp/tools", kServer), "http://127.0.0.1:8080/mcp/tools");
  // Scheme and host in any case (RFC 3986 6.2.2.1), the default port written or not.
  EXPECT_EQ(canonical_resource("HTTP://127.0.0.1:8080/mcp", kServer), "http://127.0.0.1:8080/mcp");
  EXPECT_EQ(canonical_resource("https://API.example.com:443/mcp", "https://api.example.com"), "https://api.example.com/mcp");
  EXPECT_EQ(canonical_resource("https://api.example.com/mcp", "https://api.example.com:443"), "https://api.example.com:443/mcp");
  EXPECT_EQ(canonical_resource("http://localhost/mcp", "http://localhost:80"), "http://localhost:80/mcp");
}

TEST(Resource, APublicUrlWithAPathTakesOnlyThatPathAndBelow) {
  const std::string base = "https://example.com/ambit";
  EXPECT_EQ(canonical_resource("https://example.com/ambit", base), "https://example.com/ambit");
  EXPECT_EQ(canonical_resource("https://example.com/ambit/", base), "https://example.com/ambit");
  EXPECT_EQ(canonical_resource("https://example.com/ambit/mcp", base), "https://example.com/ambit/mcp");
  for (const char* other : {"https://example.com", "https://example.com/", "https://example.com/ambitx",
                            "https://example.com/ambit-mcp", "https://example.com/other/ambit", "https://example.com/AMBIT"})
    EXPECT_FALSE(canonical_resource(other, base)) << other;
}

TEST(Resource, AnythingElseIsNotAResourceOfThisServer) {
  const std::vector<std::string> refused = {
      "",
      "mcp",
      "/mcp",
      "//127.0.0.1:8080/mcp",
      "https://evil.example/mcp",
      "https://127.0.0.1:8080/mcp",        // another scheme: another origin
      "http://127.0.0.1:8081/mcp",         // another port
      "http://127.0.0.1/mcp",              // port 80
      "http://localhost:8080/mcp",         // another host name, even for the same address
      "http://127.0.0.1.evil:8080/mcp",
      "http://127.0.0.1:8080.evil/mcp",
      "http://127.0.0.1:8080@evil.example/mcp",
      "http://user@127.0.0.1:8080/mcp",
      "http://@127.0.0.1:8080/mcp",
      "http://%31%32%37.0.0.1:8080/mcp",
      "http://127.0.0.1:/mcp",
      "http://127.0.0.1:08080x/mcp",
      "http://127.0.0.1:8080/mcp#frag",   // RFC 8707 2: no fragment
      "http://127.0.0.1:8080/mcp#",
      "http://127.0.0.1:8080#",
      "http://127.0.0.1:8080/mcp?x=1",    // no query either
      "http://127.0.0.1:8080/mcp?",
      "http://127.0.0.1:8080/mcp/../admin",
      "http://127.0.0.1:8080/./mcp",
      "http://127.0.0.1:8080/mcp/%2e%2e/admin",
      "http://127.0.0.1:8080/mcp/%2E%2E",
      "ftp://127.0.0.1:8080/mcp",
      "urn:ietf:params:mcp",
      "http://127.0.0.1:8080 /mcp",
      "http://127.0.0.1:8080/mc p",
  };
  for (auto& r : refused) EXPECT_FALSE(canonical_resource(r, kServer)) << r;
}

TEST(Resource, AnUnparsablePublicUrlAcceptsNothing) {
  EXPECT_FALSE(canonical_resource("http://127.0.0.1:8080/mcp", "not a url"));
  EXPECT_FALSE(canonical_resource("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/?q"));
}

}  // namespace
