// The audience cache the token-audience service answers from: by grant,
// dropped with its grant or client, bounded.
#include <gtest/gtest.h>

#include <string>

#include "audience_cache.hpp"

namespace {

TEST(AudienceCache, RemembersEachGrantsAudienceAndForgetsByGrantOrClient) {
  oauth::AudienceCache cache(100);
  EXPECT_FALSE(cache.find("ogr_a"));
  cache.remember("ogr_a", "mcp_1", "http://127.0.0.1:8080/mcp");
  cache.remember("ogr_b", "mcp_1", "");
  cache.remember("ogr_c", "mcp_2", "http://127.0.0.1:8080");
  EXPECT_EQ(cache.find("ogr_a"), "http://127.0.0.1:8080/mcp");
  EXPECT_EQ(cache.find("ogr_b"), "");  // known: issued for no resource, which is not "unknown"
  cache.forget_grant("ogr_a");
  EXPECT_FALSE(cache.find("ogr_a"));
  cache.forget_client("mcp_1");
  EXPECT_FALSE(cache.find("ogr_b"));
  EXPECT_EQ(cache.find("ogr_c"), "http://127.0.0.1:8080");
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AudienceCache, AFullCacheEmptiesItselfAndRefills) {
  oauth::AudienceCache cache(3);
  for (int i = 0; i < 3; ++i) cache.remember("ogr_" + std::to_string(i), "mcp_1", "a");
  cache.remember("ogr_0", "mcp_1", "a");  // already there: no eviction
  EXPECT_EQ(cache.size(), 3u);
  cache.remember("ogr_3", "mcp_1", "b");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find("ogr_3"), "b");
}

}  // namespace
