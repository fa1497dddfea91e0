#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace ambit::kernel;
namespace sdk = ambit::sdk;

namespace {
sdk::RouteSpec route(std::string method, std::string path) {
  sdk::RouteSpec r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.handler = [](const sdk::Request&) { return sdk::Response::empty(); };
  return r;
}
}  // namespace

TEST(Router, MatchesLiteralsBeforeParamsAndCapturesParams) {
  Router r;
  r.add(route("GET", "/v1/admin/projects/:projectId"), "p");
  r.add(route("GET", "/v1/admin/projects/archived"), "p");
  r.add(route("POST", "/v1/admin/projects/:projectId/config/:key"), "p");
  auto m = r.match("GET", {"v1", "admin", "projects", "archived"});
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route->spec.path, "/v1/admin/projects/archived");
  m = r.match("GET", {"v1", "admin", "projects", "p-1"});
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.params, (sdk::StringPairs{{"projectId", "p-1"}}));
  m = r.match("POST", {"v1", "admin", "projects", "p-1", "config", "a b"});
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.params[1].second, "a b");
}

TEST(Router, MethodNotAllowedListsAllowedMethods) {
  Router r;
  r.add(route("GET", "/things/:id"), "p");
  r.add(route("DELETE", "/things/:id"), "p");
  auto m = r.match("PUT", {"things", "1"});
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "DELETE, GET");
  EXPECT_EQ(r.match("GET", {"things"}).outcome, Router::Outcome::not_found);
  EXPECT_EQ(r.match("GET", {"things", "1", "x"}).outcome, Router::Outcome::not_found);
  EXPECT_EQ(r.match("GET", {"things", ""}).outcome, Router::Outcome::not_found);
}

TEST(Router, RefusesDuplicatesAndConflictingParams) {
  Router r;
  r.add(route("GET", "/a/:id"), "first");
  try {
    r.add(route("GET", "/a/:id"), "second");
    FAIL() << "duplicate accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "duplicate route GET /a/:id (registered by second, already registered by first)");
  }
  EXPECT_THROW(r.add(route("POST", "/a/:name"), "x"), std::invalid_argument);
  EXPECT_THROW(r.add(route("GET", "no-slash"), "x"), std::invalid_argument);
  EXPECT_THROW(r.add(route("get", "/b"), "x"), std::invalid_argument);
  EXPECT_THROW(r.add(route("GET", "/b//c"), "x"), std::invalid_argument);
}

TEST(Router, ALiteralWinsOnlyForItsOwnMethodsAndAParamTakesTheRest) {
  Router r;
  r.add(route("GET", "/config/versions"), "p");
  r.add(route("PATCH", "/config/:key"), "p");
  r.add(route("DELETE", "/config/:key"), "p");
  auto m = r.match("GET", {"config", "versions"});
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route->spec.path, "/config/versions");
  m = r.match("PATCH", {"config", "versions"});  // the key named "versions"
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route->spec.path, "/config/:key");
  EXPECT_EQ(m.params, (sdk::StringPairs{{"key", "versions"}}));
  m = r.match("PUT", {"config", "versions"});  // nobody serves PUT: 405 naming the literal route's methods
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "GET");
  m = r.match("GET", {"config", "other"});
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "DELETE, PATCH");
}
