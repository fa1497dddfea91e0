// Graceful shutdown through the real binary, on SQLite and PostgreSQL: on
// SIGTERM every request whose headers have arrived is finished (the rest of
// its body read, the handler run, the answer written) and the process exits 0;
// idle keep-alive connections are closed at once.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;

namespace {

/// Everything until the server closes (or `timeout`).
std::string read_to_close(int fd, std::chrono::milliseconds timeout) {
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return in;
}

/// A request whose body is sent in pieces after its headers.
struct Upload {
  int fd = -1;
  std::string body;
  std::size_t sent = 0;
};

}  // namespace

class HttpDrain : public ::testing::TestWithParam<Backend> {};

TEST_P(HttpDrain, SigtermFinishesEveryRequestWhoseHeadersArrived) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TempDir dir;
  TestDatabase db(GetParam(), dir);
  auto cfg = e2e_config(dir, db.url(), {boost::json::object{{"name", "test-kit"}}},
                        {{"drain_timeout_ms", 10000}, {"worker_threads", 8}});
  ServerProcess server(write_config(dir, cfg));
  // An idle keep-alive connection must not hold the shutdown up.
  HttpConnection idle(server.port());
  ASSERT_EQ(idle.request("GET", "/healthz").status, 200);

  constexpr int kUploads = 25;
  std::vector<Upload> uploads(kUploads);
  for (int i = 0; i < kUploads; ++i) {
    auto& u = uploads[static_cast<std::size_t>(i)];
    u.body = boost::json::serialize(boost::json::object{{"count", 1}, {"prefix", "drain-" + std::to_string(i)}});
    u.fd = connect_loopback(server.port());
    ASSERT_GE(u.fd, 0);
    send_all(u.fd, "POST /testkit/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(u.body.size()) + "\r\n\r\n" + u.body.substr(0, 4));
    u.sent = 4;
  }
  std::this_thread::sleep_for(300ms);  // every header has been read
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_log("shutting down: draining", 5s));
  // The rest of each body trickles in over the next half second.
  for (int step = 0; step < 5; ++step) {
    std::this_thread::sleep_for(100ms);
    for (auto& u : uploads) {
      auto piece = std::min((u.body.size() - 4) / 5 + 1, u.body.size() - u.sent);
      send_all(u.fd, std::string_view(u.body).substr(u.sent, piece));
      u.sent += piece;
    }
  }
  int answered = 0;
  for (auto& u : uploads) {
    auto response = read_to_close(u.fd, 10s);
    ::close(u.fd);
    EXPECT_EQ(response.rfind("HTTP/1.1 201", 0), 0u) << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
    if (response.rfind("HTTP/1.1 201", 0) == 0) ++answered;
  }
  EXPECT_EQ(answered, kUploads);
  EXPECT_EQ(server.wait(20s), 0);
  EXPECT_EQ(server.log().find("drain timeout over"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST_P(HttpDrain, ARequestStillSendingItsHeadersIsClosedAndTheDrainEnds) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TempDir dir;
  TestDatabase db(GetParam(), dir);
  auto cfg = e2e_config(dir, db.url(), {boost::json::object{{"name", "test-kit"}}}, {{"drain_timeout_ms", 20000}});
  ServerProcess server(write_config(dir, cfg));
  int partial = connect_loopback(server.port());
  ASSERT_GE(partial, 0);
  send_all(partial, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(200ms);
  server.signal(SIGTERM);
  EXPECT_EQ(read_to_close(partial, 5s), "");
  ::close(partial);
  // Closed at once, not at the end of drain_timeout_ms.
  EXPECT_EQ(server.wait(5s), 0);
}

INSTANTIATE_TEST_SUITE_P(Db, HttpDrain, ::testing::ValuesIn(test_backends()), backend_param_name);
