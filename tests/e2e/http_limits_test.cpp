// The server's resource bounds through the real binary: request bytes
// buffered per connection and in all, connections at most, accept errors at
// the descriptor limit, and the header timeout of every request.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;

namespace {

/// The pid of this test's running `ambit serve` (a child of this process).
pid_t server_pid() {
  for (auto& entry : std::filesystem::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || line.find("(ambit)") == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid()) return std::stoi(name);
  }
  return -1;
}

/// VmRSS of `pid`, in KiB.
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(1 << 12, '\n');
  }
  return -1;
}

/// A raw client connection on 127.0.0.1.
class Raw {
 public:
  explicit Raw(std::uint16_t port) : fd_(connect_loopback(port)) {}
  ~Raw() {
    if (fd_ >= 0) ::close(fd_);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Sends everything, or as much as the server took before closing.
  std::size_t send(const std::string& bytes) { return send_all(fd_, bytes); }
  /// Reads until one whole response (headers + Content-Length body) arrived,
  /// the server closed, or `timeout` passed.
  std::string response(std::chrono::milliseconds timeout = 5s) {
    std::string in;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!complete(in) && wait_readable(deadline)) {
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    return in;
  }
  /// True when the server closes the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (wait_readable(deadline)) {
      char buf[4096];
      if (::recv(fd_, buf, sizeof buf, 0) <= 0) return true;
    }
    return false;
  }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
  }
  static bool complete(const std::string& in) {
    auto end = in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    auto at = in.find("Content-Length: ");
    std::size_t length = at == std::string::npos || at > end ? 0 : std::stoul(in.substr(at + 16));
    return in.size() >= end + 4 + length;
  }
  int fd_;
};

int status_of(const std::string& raw) { return raw.size() >= 12 && raw.rfind("HTTP/1.", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0; }

const std::string kGet = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

// The reviewer's attack: a chunk extension, or a trailer section, that never
// ends. Before, every byte was buffered until the body timeout.
TEST(HttpLimits, AnEndlessChunkExtensionOrTrailerLeavesTheServersMemoryAlone) {
  TempDir dir;
  ServerProcess server(write_config(dir, e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}})));
  pid_t pid = server_pid();
  ASSERT_GT(pid, 0);
  long before = rss_kib(pid);
  const std::string junk(1 << 20, 'a');
  for (std::string opening : {"1;", "0\r\nX-T: "}) {
    SCOPED_TRACE(opening);
    Raw c(server.port());
    std::size_t sent = c.send("POST /testkit/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + opening);
    // Up to 64 MiB, or until the server has closed.
    for (int i = 0; i < 64; ++i) {
      auto n = c.send(junk);
      sent += n;
      if (n < junk.size()) break;
    }
    EXPECT_LT(sent, std::size_t{32} << 20) << "the server kept reading";
    EXPECT_TRUE(c.closed_within(5s));
  }
  long after = rss_kib(pid);
  EXPECT_LT(after - before, 8 * 1024) << "RSS grew from " << before << " KiB to " << after << " KiB";
  EXPECT_EQ(http(server.port(), "GET", "/healthz").status, 200);
}

// Many connections each within the body limit, together past
// server.max_buffered_bytes: some are answered 503, and the bytes they held
// are given back.
TEST(HttpLimits, RequestBytesOfAllConnectionsAreBoundedByMaxBufferedBytes) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}},
                        {{"body_limit_bytes", 1 << 20}, {"max_buffered_bytes", 256 << 10}});
  ServerProcess server(write_config(dir, cfg));
  std::vector<std::unique_ptr<Raw>> conns;
  const std::string part(100 << 10, '{');
  for (int i = 0; i < 8; ++i) {
    conns.push_back(std::make_unique<Raw>(server.port()));
    conns.back()->send("POST /testkit/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n" + part);
  }
  int busy = 0;
  for (auto& c : conns) {
    auto r = c->response(1500ms);
    if (status_of(r) == 503) {
      ++busy;
      EXPECT_NE(r.find("Retry-After: 1"), std::string::npos) << r;
    }
  }
  // 800 KiB sent, 256 KiB allowed: at least 3 of 8 refused.
  EXPECT_GE(busy, 3);
  conns.clear();
  EXPECT_TRUE(eventually([&] { return http(server.port(), "GET", "/healthz").status == 200; }));
  auto ok = http(server.port(), "POST", "/testkit/jobs", {}, R"({"count":0})");
  EXPECT_EQ(ok.status, 201) << ok.body;
}

// At server.max_connections the longest-idle keep-alive connection makes room;
// with none idle, a new connection is refused with 503.
TEST(HttpLimits, MaxConnectionsClosesIdleConnectionsFirstThenRefuses) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}},
                        {{"max_connections", 4}, {"header_timeout_ms", 10000}, {"idle_timeout_ms", 30000}});
  ServerProcess server(write_config(dir, cfg));
  std::vector<std::unique_ptr<Raw>> conns;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<Raw>(server.port()));
    conns.back()->send(kGet);
    ASSERT_EQ(status_of(conns.back()->response()), 200);
    std::this_thread::sleep_for(20ms);  // conns[0] is the longest idle
  }
  conns.push_back(std::make_unique<Raw>(server.port()));
  conns.back()->send(kGet);
  EXPECT_EQ(status_of(conns.back()->response()), 200);
  EXPECT_TRUE(conns[0]->closed_within(3s));
  for (std::size_t i = 1; i < conns.size(); ++i) {
    conns[i]->send(kGet);
    EXPECT_EQ(status_of(conns[i]->response()), 200) << i;
  }
  // Now none is idle: each has started a request.
  for (std::size_t i = 1; i < conns.size(); ++i) conns[i]->send("GET /healthz HTTP/1.1\r\n");
  std::this_thread::sleep_for(200ms);
  Raw refused(server.port());
  auto r = refused.response();
  EXPECT_EQ(status_of(r), 503) << r;
  EXPECT_TRUE(refused.closed_within(3s));
  for (std::size_t i = 1; i < conns.size(); ++i) {
    conns[i]->send("Host: x\r\n\r\n");
    EXPECT_EQ(status_of(conns[i]->response()), 200) << i;
  }
}

// At the descriptor limit accept fails (EMFILE): the server pauses before
// trying again and logs that at most about once a second, instead of
// spinning on the pending connection.
TEST(HttpLimits, AcceptErrorsAtTheDescriptorLimitAreRateLimitedAndRecovered) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}},
                        {{"max_connections", 100000}});
  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  rlimit low = original;
  low.rlim_cur = 96;  // inherited by the server at fork
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::unique_ptr<ServerProcess> server;
  try {
    server = std::make_unique<ServerProcess>(write_config(dir, cfg));
  } catch (...) {
    ::setrlimit(RLIMIT_NOFILE, &original);
    throw;
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
  {
    std::vector<std::unique_ptr<Raw>> conns;
    for (int i = 0; i < 150; ++i) conns.push_back(std::make_unique<Raw>(server->port()));
    ASSERT_TRUE(server->wait_for_log("accept failed", 5s)) << server->log();
    auto window_start = count_of(server->log(), "\"msg\":\"accept failed\"");
    std::this_thread::sleep_for(2s);
    auto lines = count_of(server->log(), "\"msg\":\"accept failed\"") - window_start;
    EXPECT_LE(lines, 4u) << "accept failure lines in 2 s";
  }
  // The clients are gone: descriptors are free again and the server accepts.
  EXPECT_TRUE(eventually([&] { return http(server->port(), "GET", "/healthz").status == 200; }));
}

// Every request's header must arrive within the header timeout of its first
// byte, not only the first request's: a kept-alive connection's idle timeout
// covers only the wait for that byte.
TEST(HttpLimits, TheHeaderTimeoutAppliesToEveryRequestOnAConnection) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {boost::json::object{{"name", "test-kit"}}},
                        {{"header_timeout_ms", 500}, {"idle_timeout_ms", 20000}});
  ServerProcess server(write_config(dir, cfg));
  Raw c(server.port());
  c.send(kGet);
  ASSERT_EQ(status_of(c.response()), 200);
  // Idle longer than the header timeout: still open, the next request served.
  std::this_thread::sleep_for(1200ms);
  c.send(kGet);
  ASSERT_EQ(status_of(c.response()), 200);
  // A second request's header trickling: cut after the header timeout, long
  // before the idle timeout.
  c.send("GET /healthz HTTP/1.1\r\n");
  EXPECT_TRUE(c.closed_within(5s));
}
