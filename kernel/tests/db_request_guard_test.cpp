// guard_database_calls(): a request that lost its database connection before
// any statement ran is repeated once; otherwise it answers 503 + Retry-After.
#include <soci/soci.h>

#include "db/soci_database.hpp"
#include "db_fixture.hpp"
#include "http/router.hpp"
#include "pg_admin.hpp"

using namespace ambit;
using ambit::test::DbTest;

namespace {

class RequestGuard : public DbTest {
 protected:
  /// Register `handler` as GET /t, guard it, and call it once.
  sdk::Response call(sdk::Handler handler) {
    kernel::Router router;
    sdk::RouteSpec spec;
    spec.method = "GET";
    spec.path = "/t";
    spec.handler = std::move(handler);
    router.add(std::move(spec), "test");
    std::vector<std::shared_ptr<sdk::Authenticator>> none;
    kernel::guard_database_calls(router, none, log);
    sdk::Request req;
    return router.routes().front()->spec.handler(req);
  }
  void terminate() { test::terminate_connections(test::pg_database_name(database->url())); }
  int select_one() {
    auto s = db->session();
    int one = 0;
    *s << "SELECT 1", soci::into(one);
    return one;
  }
  static std::optional<std::string> header(const sdk::Response& r, const std::string& name) {
    for (auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::nullopt;
  }
};

TEST_P(RequestGuard, AFailureOnTheFirstStatementIsRepeatedOnceOnAFreshConnection) {
  int calls = 0;
  auto r = call([&](const sdk::Request&) {
    auto s = db->session();  // lent alive...
    if (++calls == 1) terminate();  // ...and closed by the server before its first statement
    int one = 0;
    *s << "SELECT 1", soci::into(one);
    return sdk::Response::data({{"one", one}});
  });
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(calls, 2);
}

TEST_P(RequestGuard, AFailureAfterAStatementRanAnswers503WithRetryAfterNever500) {
  int calls = 0;
  auto r = call([&](const sdk::Request&) {
    ++calls;
    EXPECT_EQ(select_one(), 1);  // something ran: repeating the request is not safe
    auto s = db->session();
    terminate();
    *s << "SELECT 1";
    return sdk::Response::data({});
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(header(r, "Retry-After"), "1");
  EXPECT_NE(r.body.find("UNAVAILABLE"), std::string::npos);
}

TEST_P(RequestGuard, AHandlerThatTranslatesTheFailureIntoItsOwn500StillAnswers503) {
  auto r = call(sdk::with_failure_code("UPDATE_FAILED", [&](const sdk::Request&) {
    EXPECT_EQ(select_one(), 1);
    db->transaction([&](soci::session& tx) {
      tx << "SELECT 1";
      terminate();
      tx << "SELECT 2";
    });
    return sdk::Response::data({});
  }, nullptr));
  EXPECT_EQ(r.status, 503) << r.body;
}

TEST_P(RequestGuard, OtherErrorsPassThroughUntouched) {
  int calls = 0;
  EXPECT_THROW(call([&](const sdk::Request&) -> sdk::Response {
    ++calls;
    select_one();
    throw sdk::ApiError::invalid_input("bad");
  }), sdk::ApiError);
  EXPECT_EQ(calls, 1);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Db, RequestGuard, ::testing::Values(ambit::test::Backend::postgresql), ambit::test::param_name);
