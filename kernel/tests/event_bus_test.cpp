// The LISTEN connection of the event bus on PostgreSQL: a half-open
// connection (the peer silent, nothing closed, as after a network partition
// or a dead load balancer) is found by the health check and replaced; the
// subscribers get the reset topic "*", and events published by another
// process reach this one again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "db_fixture.hpp"
#include "events/event_bus.hpp"
#include "http_client.hpp"

using namespace ambit;
using namespace ambit::test;
using namespace std::chrono_literals;

namespace {

/// A TCP relay on 127.0.0.1 in front of PostgreSQL. freeze() makes every
/// connection relayed so far go silent in both directions without closing
/// it; connections made afterwards are relayed normally.
class Relay {
 public:
  explicit Relay(std::uint16_t upstream) : upstream_(upstream) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~Relay() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : pumps_) t.join();
  }
  std::uint16_t port() const { return port_; }
  void freeze() { ++frozen_generation_; }
  int connections() const { return generation_count_.load(); }

 private:
  void accept_loop() {
    while (!stop_) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      int server = connect_loopback(upstream_);
      if (server < 0) {
        ::close(client);
        continue;
      }
      ++generation_count_;
      int generation = frozen_generation_.load();
      std::lock_guard lock(mu_);
      pumps_.emplace_back([this, client, server, generation] { pump(client, server, generation); });
    }
  }
  /// Relays both ways until either side closes, the relay stops, or a
  /// freeze() after this connection began: then it only holds the sockets.
  void pump(int a, int b, int generation) {
    char buf[16384];
    while (!stop_) {
      if (frozen_generation_.load() != generation) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        auto n = ::recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0 || send_all(fds[1 - i].fd, std::string_view(buf, static_cast<std::size_t>(n))) !=
                          static_cast<std::size_t>(n))
          closed = true;
      }
      if (closed) break;
    }
    ::close(a);
    ::close(b);
  }

  std::uint16_t upstream_;
  std::uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> frozen_generation_{0};
  std::atomic<int> generation_count_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pumps_;
};

class EventBusOnPostgres : public DbTest {};

TEST_P(EventBusOnPostgres, AHalfOpenListenConnectionIsReplacedAndEventsFlowAgain) {
  if (GetParam() != Backend::postgresql) GTEST_SKIP() << "LISTEN/NOTIFY is PostgreSQL's";
  static const std::regex host_port(R"(@127\.0\.0\.1:(\d+)/)");
  std::smatch m;
  const std::string url = database->url();
  ASSERT_TRUE(std::regex_search(url, m, host_port)) << url;
  Relay relay(static_cast<std::uint16_t>(std::stoi(m[1].str())));
  const std::string relayed_url = std::regex_replace(url, host_port, "@127.0.0.1:" + std::to_string(relay.port()) + "/");

  kernel::EventBus listener(kernel::parse_database_url(relayed_url), log);
  listener.set_health_check(200ms, 300ms);
  std::mutex mu;
  std::vector<std::string> seen;
  auto record = [&](std::string_view topic, std::string_view payload) {
    std::lock_guard lock(mu);
    seen.push_back(std::string(topic) + ":" + std::string(payload));
  };
  listener.subscribe("keys.revoked", record);
  listener.subscribe("*", record);
  listener.start();

  kernel::EventBus other_process(kernel::parse_database_url(url), log);
  auto publish = [&](const std::string& payload) {
    db->transaction([&](soci::session& tx) { other_process.publish(tx, "keys.revoked", payload); });
  };
  auto saw = [&](const std::string& event) {
    std::lock_guard lock(mu);
    return std::find(seen.begin(), seen.end(), event) != seen.end();
  };

  publish("k1");
  ASSERT_TRUE(eventually([&] { return saw("keys.revoked:k1"); }, 5s));

  relay.freeze();  // the LISTEN connection goes silent; nothing is closed
  publish("k2");   // lost with the connection
  ASSERT_TRUE(eventually([&] { return listener.reconnects() >= 1; }, 5s)) << "the silent connection was never replaced";
  EXPECT_TRUE(saw("*:")) << "subscribers were not told to drop what they cached";
  EXPECT_EQ(relay.connections(), 2);

  publish("k3");
  EXPECT_TRUE(eventually([&] { return saw("keys.revoked:k3"); }, 5s));
  listener.stop();
}

AMBIT_INSTANTIATE_DB_TEST(EventBusOnPostgres);

}  // namespace
