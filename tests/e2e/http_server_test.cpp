// The HTTP server and router through the real binary: limits, timeouts,
// errors, keep-alive, graceful shutdown.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <thread>

#include "e2e_util.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;

class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cfg = e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}},
                          {{"body_limit_bytes", 1024},
                           {"header_limit_bytes", 2048},
                           {"header_timeout_ms", 600},
                           {"idle_timeout_ms", 2000},
                           {"worker_threads", 4},
                           {"shutdown_grace_ms", 5000}});
    server = std::make_unique<ServerProcess>(write_config(dir, cfg));
  }
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
};

TEST_F(HttpServer, HealthzAndRequestIdEchoedOrGenerated) {
  auto r = http(server->port(), "GET", "/healthz", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto g = http(server->port(), "GET", "/healthz", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_EQ(g.header("x-request-id").size(), 32u);
}

TEST_F(HttpServer, NotFoundAndMethodNotAllowedAreJsonEnvelopes) {
  auto nf = http(server->port(), "GET", "/nowhere");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.json().at("error").at("code").as_string(), "NOT_FOUND");
  EXPECT_FALSE(nf.header("x-request-id").empty());
  auto na = http(server->port(), "DELETE", "/testkit/jobs");
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.header("allow"), "POST");
  EXPECT_EQ(na.json().at("error").at("code").as_string(), "METHOD_NOT_ALLOWED");
}

TEST_F(HttpServer, BodyOverTheLimitIs413) {
  auto r = http(server->port(), "POST", "/testkit/jobs", {}, std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json().at("error").at("code").as_string(), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(http(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpServer, HeadersOverTheLimitAre431) {
  auto r = http(server->port(), "GET", "/healthz", {{"X-Big", std::string(4000, 'a')}});
  EXPECT_EQ(r.status, 431);
}

TEST_F(HttpServer, MalformedJsonBodyIs400InvalidInput) {
  auto r = http(server->port(), "POST", "/testkit/jobs", {}, "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json().at("error").at("code").as_string(), "INVALID_INPUT");
}

TEST_F(HttpServer, MalformedRequestGets400AndTheServerKeepsServing) {
  bool closed = false;
  auto raw = raw_exchange(server->port(), "GARBAGE\x01 / HTTP/9.9\r\n\r\n", 3s, &closed);
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  EXPECT_TRUE(closed);
  EXPECT_EQ(http(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpServer, ASilentConnectionIsClosedAfterTheHeaderTimeout) {
  auto waited = time_until_closed(server->port(), 5000ms);
  EXPECT_GE(waited, 400ms);
  EXPECT_LT(waited, 3000ms);
  // A client trickling a header never finishing is cut too.
  bool closed = false;
  raw_exchange(server->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n", 5s, &closed);
  EXPECT_TRUE(closed);
}

TEST_F(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  HttpConnection c(server->port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.request("GET", "/healthz").status, 200);
  auto pipelined = raw_exchange(server->port(),
                                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n"
                                "Connection: close\r\n\r\n", 3s);
  auto first = pipelined.find("HTTP/1.1 200");
  auto second = pipelined.find("HTTP/1.1 404");
  EXPECT_NE(first, std::string::npos);
  EXPECT_NE(second, std::string::npos);
  EXPECT_LT(first, second);  // answered in order
}

TEST_F(HttpServer, MetricsOpenApiAndPluginList) {
  http(server->port(), "GET", "/healthz");
  auto m = http(server->port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("ambit_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"), std::string::npos);
  EXPECT_NE(m.body.find("ambit_db_pool_in_use"), std::string::npos);
  EXPECT_NE(m.body.find("ambit_jobs_succeeded_total"), std::string::npos);
  auto doc = http(server->port(), "GET", "/openapi.json").json();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("paths").as_object().contains("/testkit/jobs/stats"));
  EXPECT_EQ(doc.at("servers").at(0).at("url").as_string(), "http://127.0.0.1:" + std::to_string(server->port()));
  auto plugins = http(server->port(), "GET", "/v1/plugins").json().at("data").as_array();
  ASSERT_EQ(plugins.size(), 1u);
  EXPECT_EQ(plugins[0].at("name").as_string(), "test-kit");
  EXPECT_EQ(plugins[0].at("version").as_string(), "0.1.0");
  EXPECT_EQ(http(server->port(), "GET", "/readyz").status, 200);
}

TEST_F(HttpServer, ANonBlockingHandlerThatMustBlockIsRerunOnAWorker) {
  auto fast = http(server->port(), "GET", "/testkit/inline");
  ASSERT_EQ(fast.status, 200) << fast.body;
  EXPECT_EQ(fast.json().at("data").at("on_io_thread"), boost::json::value(true));
  auto moved = http(server->port(), "GET", "/testkit/inline?block=1");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("data").at("on_io_thread"), boost::json::value(false));
}

TEST_F(HttpServer, GracefulShutdownDrainsAnInFlightRequest) {
  auto in_flight = std::async(std::launch::async, [&] { return http(server->port(), "GET", "/testkit/sleep?ms=1500"); });
  std::this_thread::sleep_for(300ms);
  server->signal(SIGTERM);
  auto r = in_flight.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(server->wait(10s), 0);
  EXPECT_NE(server->log().find("\"msg\":\"stopped\""), std::string::npos);
}

// A slow database stalls only the requests that use it.
class SlowDatabase : public ::testing::TestWithParam<Backend> {};

TEST_P(SlowDatabase, HealthzAnswersWhile64RequestsWaitOnALockedTable) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TempDir dir;
  TestDatabase db(GetParam(), dir);
  auto cfg = e2e_config(dir, db.url(), {boost::json::object{{"name", "test-kit"}}}, {{"worker_threads", 16}});
  ServerProcess server(write_config(dir, cfg));
  std::vector<std::future<int>> waiting;
  for (int i = 0; i < 64; ++i)
    waiting.push_back(std::async(std::launch::async, [&] { return http(server.port(), "GET", "/testkit/lock?ms=40").status; }));
  std::this_thread::sleep_for(300ms);  // every worker is now blocked on the row lock
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(http(server.port(), "GET", "/healthz").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  }
  for (auto& f : waiting) EXPECT_EQ(f.get(), 200);
}

INSTANTIATE_TEST_SUITE_P(Db, SlowDatabase, ::testing::ValuesIn(test_backends()),
                         backend_param_name);
