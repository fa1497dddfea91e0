// Durable jobs through real processes: several kernels on one database run
// every job exactly once; failures are retried.
#include <gtest/gtest.h>

#include <thread>

#include "e2e_util.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

class Jobs : public ::testing::TestWithParam<Backend> {
 protected:
  json::object config(const std::string& url) {
    return e2e_config(dir, url, {json::object{{"name", "test-kit"}}}, {{"worker_threads", 4}},
                      {{"workers", 2}, {"poll_interval_ms", 50}, {"backoff_base_ms", 50}});
  }
  static json::object wait_until_done(std::uint16_t port, int expected) {
    json::object stats;
    auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      stats = http(port, "GET", "/testkit/jobs/stats").json().at("data").as_object();
      if (stats.at("done").as_int64() + stats.at("dead").as_int64() >= expected) break;
      std::this_thread::sleep_for(100ms);
    }
    return stats;
  }
  TempDir dir;
};

TEST_P(Jobs, TwoProcessesRunEachJobExactlyOnce) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TestDatabase db(GetParam(), dir);
  auto file = write_config(dir, config(db.url()));
  ASSERT_EQ(run_ambit({"migrate", "--config", file}).exit_code, 0);
  ServerProcess a(file), b(file);
  constexpr int kJobs = 300;
  // Enqueue through both processes; half the idempotency keys repeat, so
  // duplicates collapse onto existing jobs.
  auto r1 = http(a.port(), "POST", "/testkit/jobs", {}, R"({"count": 300, "prefix": "x"})");
  auto r2 = http(b.port(), "POST", "/testkit/jobs", {}, R"({"count": 150, "prefix": "x"})");
  ASSERT_EQ(r1.status, 201) << r1.body;
  EXPECT_EQ(r1.json().at("data").at("created").as_int64(), kJobs);
  EXPECT_EQ(r2.json().at("data").at("created").as_int64(), 0);
  auto stats = wait_until_done(a.port(), kJobs);
  EXPECT_EQ(stats.at("done").as_int64(), kJobs);
  EXPECT_EQ(stats.at("runs").as_int64(), kJobs);      // no job ran twice
  EXPECT_EQ(stats.at("distinct").as_int64(), kJobs);  // no job was skipped
  EXPECT_EQ(stats.at("dead").as_int64(), 0);
  if (GetParam() == Backend::postgresql) {
    EXPECT_EQ(stats.at("runners").as_int64(), 2) << "both processes took jobs";
  }
}

TEST_P(Jobs, FailedAttemptsAreRetriedUntilTheySucceed) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TestDatabase db(GetParam(), dir);
  ServerProcess server(write_config(dir, config(db.url())));
  auto r = http(server.port(), "POST", "/testkit/jobs", {}, R"({"count": 20, "fail_times": 2, "prefix": "f"})");
  ASSERT_EQ(r.status, 201);
  auto stats = wait_until_done(server.port(), 20);
  EXPECT_EQ(stats.at("done").as_int64(), 20);
  EXPECT_EQ(stats.at("runs").as_int64(), 20);  // failed attempts left no effects
}

TEST_P(Jobs, JobsThatKeepFailingEndDead) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TestDatabase db(GetParam(), dir);
  ServerProcess server(write_config(dir, config(db.url())));
  http(server.port(), "POST", "/testkit/jobs", {}, R"({"count": 3, "fail_times": 99, "prefix": "d"})");
  auto stats = wait_until_done(server.port(), 3);
  EXPECT_EQ(stats.at("dead").as_int64(), 3);
  EXPECT_EQ(stats.at("runs").as_int64(), 0);
}

INSTANTIATE_TEST_SUITE_P(Db, Jobs, ::testing::ValuesIn(test_backends()),
                         backend_param_name);
