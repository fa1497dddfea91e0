// Streamed responses (sdk/stream.hpp) through the kernel's HTTP server, run in
// process with routes of the test's own and real sockets on 127.0.0.1: the
// head goes out at once and each write as a chunk, the connection then serves
// its next request; a client that leaves or stops reading ends the stream; a
// shutdown ends open streams with their last chunk. Waits are bounded by
// seconds and gated on what the client saw, never on sleeps.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ambit/sdk/stream.hpp"
#include "config/kernel_config.hpp"
#include "http/dispatcher.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "raw_client.hpp"

using namespace ambit;
using namespace std::chrono_literals;
using ambit::test::field;
using ambit::test::RawClient;

namespace {

using Clock = std::chrono::steady_clock;

/// Log lines, kept for assertions.
class MemoryLogger final : public sdk::Logger {
 public:
  bool enabled(sdk::LogLevel) const override { return true; }
  void log(sdk::LogLevel, std::string_view message, const boost::json::object& fields) override {
    std::lock_guard lock(mu_);
    lines_ += std::string(message) + " " + boost::json::serialize(fields) + "\n";
  }
  bool contains(std::string_view text) const {
    std::lock_guard lock(mu_);
    return lines_.find(text) != std::string::npos;
  }

 private:
  mutable std::mutex mu_;
  std::string lines_;
};

/// A one-way flag to wait on, with a bound.
class Signal {
 public:
  void set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return set_; });
  }
  bool is_set() {
    std::lock_guard lock(mu_);
    return set_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  auto deadline = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::string event(int n) { return "id: " + std::to_string(n) + "\ndata: {\"n\":" + std::to_string(n) + "}\n\n"; }

sdk::Response response(int status, std::string content_type, std::string body = {}) {
  sdk::Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

sdk::Response event_stream_head() { return response(200, "text/event-stream"); }

}  // namespace

/// The kernel's HttpServer and Dispatcher with the test's routes.
class HttpStream : public ::testing::Test {
 protected:
  HttpStream() {
    config_.listen_host = "127.0.0.1";
    config_.listen_port = 0;
    config_.io_threads = 2;
    config_.worker_threads = 4;
    config_.access_log = false;
    config_.drain_timeout = 30s;
    route("GET", "/plain", [](const sdk::Request&) { return response(200, "text/plain", "plain"); });
  }

  ~HttpStream() override {
    if (runner_.joinable()) {
      server_->shutdown();
      runner_.join();
    }
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(threads_mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    if (dispatcher_) dispatcher_->join_workers();
  }

  void route(const std::string& method, const std::string& path, sdk::Handler handler, bool may_block = true) {
    sdk::RouteSpec spec;
    spec.method = method;
    spec.path = path;
    spec.auth = sdk::AuthMode::none;
    spec.may_block = may_block;
    spec.handler = std::move(handler);
    router_.add(std::move(spec), "test");
  }

  void start() {
    dispatcher_ = std::make_unique<kernel::Dispatcher>(router_, authenticators_, log_, config_.worker_threads,
                                                       false, nullptr, config_.public_url);
    server_ = std::make_unique<kernel::HttpServer>(config_, *dispatcher_, log_);
    port_ = server_->listen();
    auto stopped = std::make_shared<std::promise<void>>();
    stopped_ = stopped->get_future();
    runner_ = std::thread([this, stopped] {
      server_->run();
      stopped->set_value();
    });
  }

  /// Begins a graceful shutdown; true when the server stopped within `limit`.
  bool shutdown_within(std::chrono::milliseconds limit) {
    server_->shutdown();
    bool stopped = stopped_.wait_for(limit) == std::future_status::ready;
    if (stopped) runner_.join();
    return stopped;
  }

  /// A thread a handler hands its stream to; joined when the test ends.
  void spawn(std::function<void()> body) {
    std::lock_guard lock(threads_mu_);
    threads_.emplace_back(std::move(body));
  }

  kernel::KernelConfig config_;
  MemoryLogger log_;
  kernel::Router router_;
  std::vector<std::shared_ptr<sdk::Authenticator>> authenticators_;
  std::unique_ptr<kernel::Dispatcher> dispatcher_;
  std::unique_ptr<kernel::HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread runner_;
  std::future<void> stopped_;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

TEST_F(HttpStream, EventsArriveAsTheyAreWrittenAndTheConnectionThenServesTheNextRequest) {
  Signal client_has_two;  // the last event waits for it: the first two must arrive on their own
  std::atomic<bool> last_written{false};
  route("GET", "/events", [&](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    spawn([&, stream] {
      stream->write(event(1));
      std::this_thread::sleep_for(50ms);
      stream->write(event(2));
      std::this_thread::sleep_for(50ms);
      client_has_two.wait();
      last_written = stream->write(event(3));
      stream->close();
    });
    return event_stream_head();
  });
  start();

  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = client.head();
  ASSERT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(field(head, "transfer-encoding"), "chunked");
  EXPECT_EQ(field(head, "content-type"), "text/event-stream");
  EXPECT_EQ(field(head, "cache-control"), "no-cache");
  EXPECT_EQ(field(head, "x-accel-buffering"), "no");
  EXPECT_EQ(field(head, "x-request-id").value_or("").size(), 32u);  // the dispatcher's id, on the head itself
  EXPECT_EQ(field(head, "content-length"), std::nullopt);
  EXPECT_EQ(field(head, "connection"), std::nullopt);  // kept alive
  EXPECT_EQ(client.chunk(), event(1));
  EXPECT_EQ(client.chunk(), event(2));
  EXPECT_FALSE(last_written);
  client_has_two.set();
  EXPECT_EQ(client.chunk(), event(3));
  EXPECT_EQ(client.chunk(), "");  // the last chunk, no trailers
  EXPECT_TRUE(last_written);
  EXPECT_EQ(client.buffered(), "");

  client.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  auto [plain_head, plain_body] = client.response();
  EXPECT_EQ(plain_head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << plain_head;
  EXPECT_EQ(plain_body, "plain");
}

TEST_F(HttpStream, TheReplyMayComeBeforeTheHeadOrAfterTheLastChunkAndPipelinedRequestsKeepTheirOrder) {
  // On the I/O thread: the handler returns before the head is written.
  route(
      "GET", "/inline",
      [](const sdk::Request& req) {
        auto stream = req.start_stream(event_stream_head());
        stream->write("a");
        stream->close();
        return event_stream_head();
      },
      false);
  // On a worker: the last chunk goes out before the handler returns.
  Signal late_end_seen;
  std::atomic<bool> late_returned{false};
  route("GET", "/late", [&](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    stream->write("b");
    stream->close();
    late_end_seen.wait();
    late_returned = true;
    return response(500, "text/plain", "never sent");
  });
  start();

  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.send("GET /inline HTTP/1.1\r\nHost: x\r\n\r\nGET /late HTTP/1.1\r\nHost: x\r\n\r\n"
              "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.head().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(client.chunk(), "a");
  EXPECT_EQ(client.chunk(), "");
  EXPECT_EQ(client.head().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(client.chunk(), "b");
  EXPECT_EQ(client.chunk(), "");
  EXPECT_FALSE(late_returned);
  late_end_seen.set();
  auto [plain_head, plain_body] = client.response();
  EXPECT_EQ(plain_head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << plain_head;
  EXPECT_EQ(plain_body, "plain");
  EXPECT_EQ(client.buffered(), "");
}

TEST_F(HttpStream, AClientThatLeavesEndsTheStreamAtAWrite) {
  std::atomic<int> ends{0};
  std::atomic<bool> write_failed{false};
  std::atomic<bool> still_open{true};
  route("GET", "/ticks", [&](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    stream->on_end([&] { ++ends; });
    spawn([&, stream] {
      auto give_up = Clock::now() + 20s;
      while (stream->write("data: tick\n\n") && Clock::now() < give_up) std::this_thread::sleep_for(20ms);
      write_failed = !stream->write("data: tick\n\n");
      still_open = stream->open();
    });
    return event_stream_head();
  });
  start();

  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.send("GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(client.head().empty());
  ASSERT_EQ(client.chunk(), "data: tick\n\n");
  EXPECT_EQ(ends, 0);
  client.close();
  EXPECT_TRUE(eventually([&] { return write_failed.load(); }));
  EXPECT_TRUE(eventually([&] { return ends.load() == 1; }));
  EXPECT_FALSE(still_open);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ends, 1);  // once
  EXPECT_EQ(test::http(port_, "GET", "/plain").status, 200);
}

TEST_F(HttpStream, AClientThatLeavesAQuietStreamEndsItWithoutAWrite) {
  auto ended = std::make_shared<Signal>();  // shared: the holding thread may outlive the test body
  route("GET", "/quiet", [this, ended](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    stream->on_end([ended] { ended->set(); });
    stream->write("data: hello\n\n");
    spawn([ended, stream] { ended->wait(60s); });  // holds the stream and never writes again
    return event_stream_head();
  });
  start();

  RawClient client(port_);
  client.send("GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(client.head().empty());
  ASSERT_EQ(client.chunk(), "data: hello\n\n");
  EXPECT_FALSE(ended->is_set());
  client.close();
  EXPECT_TRUE(ended->wait(5s)) << "the stream outlived its client";
}

TEST_F(HttpStream, ShutdownEndsOpenStreamsWithTheirLastChunkAndFinishesPromptly) {
  // One handler writes until its stream ends; another stream sits idle in a
  // thread that only waits for its end: the drain ends both, waiting for neither.
  Signal loop_ended, idle_ended;
  route("GET", "/loop", [&](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    stream->on_end([&] { loop_ended.set(); });
    auto give_up = Clock::now() + 60s;
    while (stream->write("data: x\n\n") && Clock::now() < give_up) std::this_thread::sleep_for(50ms);
    return event_stream_head();
  });
  route("GET", "/idle", [&](const sdk::Request& req) {
    auto stream = req.start_stream(event_stream_head());
    stream->on_end([&] { idle_ended.set(); });
    stream->set_farewell("event: bye\n\n");
    stream->write("data: hello\n\n");
    spawn([&, stream] { idle_ended.wait(60s); });
    return event_stream_head();
  });
  start();

  RawClient loop(port_), idle(port_);
  ASSERT_TRUE(loop.connected() && idle.connected());
  loop.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n");
  idle.send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(loop.head().empty());
  ASSERT_EQ(loop.chunk(), "data: x\n\n");
  ASSERT_FALSE(idle.head().empty());
  ASSERT_EQ(idle.chunk(), "data: hello\n\n");

  auto began = Clock::now();
  EXPECT_TRUE(shutdown_within(10s));
  EXPECT_LT(Clock::now() - began, 10s);  // drain_timeout is 30 s
  EXPECT_TRUE(loop_ended.is_set());
  EXPECT_TRUE(idle_ended.is_set());
  // Each client sees a complete body, then the connection closes.
  std::optional<std::string> c;
  while ((c = loop.chunk(5s)) && !c->empty()) EXPECT_EQ(*c, "data: x\n\n");
  EXPECT_EQ(c, "");
  EXPECT_EQ(idle.chunk(5s), "event: bye\n\n");  // its farewell, then the end
  EXPECT_EQ(idle.chunk(5s), "");
  std::string rest;
  EXPECT_TRUE(loop.read_to_close(5s, &rest));
  EXPECT_EQ(rest, "");
  EXPECT_TRUE(idle.read_to_close(5s, &rest));
  EXPECT_EQ(rest, "");
}

TEST_F(HttpStream, AClientThatNeverReadsIsDroppedAtTheQueueLimitAndTheServerStaysResponsive) {
  std::atomic<std::size_t> accepted{0};
  std::atomic<bool> refused{false};
  Signal ended;
  route("GET", "/flood", [&](const sdk::Request& req) {
    auto stream = req.start_stream(response(200, "application/octet-stream"));
    stream->on_end([&] { ended.set(); });
    spawn([&, stream] {
      const std::string block(64 << 10, 'x');
      while (accepted < (std::size_t{512} << 20)) {
        if (!stream->write(block)) {
          refused = true;
          return;
        }
        accepted += block.size();
      }
    });
    return event_stream_head();
  });
  start();

  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.send("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n");  // and never read
  EXPECT_TRUE(eventually([&] { return refused.load(); }));
  EXPECT_TRUE(ended.wait());
  // What the socket buffers took, plus at most the 1 MiB queue.
  EXPECT_LT(accepted.load(), std::size_t{64} << 20);
  EXPECT_TRUE(log_.contains("stream dropped: the client reads too slowly"));
  EXPECT_EQ(test::http(port_, "GET", "/plain").status, 200);
  EXPECT_TRUE(client.read_to_close(10s));  // the server closed it
}

TEST_F(HttpStream, APlainResponseIsUnaffectedAndAnHttp10StreamEndsByClosing) {
  route(
      "GET", "/events",
      [](const sdk::Request& req) {
        auto stream = req.start_stream(event_stream_head());
        stream->write(event(1));
        stream->write(event(2));
        stream->close();
        return event_stream_head();
      },
      false);
  start();

  RawClient plain(port_);
  ASSERT_TRUE(plain.connected());
  for (int i = 0; i < 3; ++i) {
    plain.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
    auto [head, body] = plain.response();
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
    EXPECT_EQ(field(head, "content-length"), "5");
    EXPECT_EQ(field(head, "transfer-encoding"), std::nullopt);
    EXPECT_EQ(field(head, "cache-control"), std::nullopt);
    EXPECT_NE(field(head, "x-request-id"), std::nullopt);
    EXPECT_EQ(body, "plain");
  }

  RawClient old(port_);
  ASSERT_TRUE(old.connected());
  old.send("GET /events HTTP/1.0\r\n\r\n");
  std::string head = old.head();
  EXPECT_EQ(head.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(field(head, "transfer-encoding"), std::nullopt);
  EXPECT_EQ(field(head, "content-length"), std::nullopt);
  EXPECT_EQ(field(head, "connection"), "close");
  std::string body;
  EXPECT_TRUE(old.read_to_close(10s, &body));
  EXPECT_EQ(body, event(1) + event(2));
}
