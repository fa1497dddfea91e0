#pragma once
// The HTTP/1.1 server on Boost.Beast. One io_context per I/O thread (no
// locks or cross-thread wake-ups on the hot path); the listener deals
// accepted connections round-robin to them. A session reads one request at a
// time with a bounded parser and timeouts (deadlines that one sweeper timer
// checks, instead of a timer armed per read and write), hands it to the Dispatcher and
// writes the reply on its own thread. Requests on one connection are answered
// in order (pipelining-safe).
//
// Shutdown: stop accepting, close idle connections, let in-flight requests
// finish (answered with Connection: close) until the grace period ends.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <thread>
#include <vector>

#include "ambit/sdk/logger.hpp"
#include "config/kernel_config.hpp"
#include "http/dispatcher.hpp"

namespace ambit::kernel {

class Session;

struct ServerLimits {
  std::size_t body_limit;
  std::size_t header_limit;
  std::chrono::milliseconds header_timeout;
  std::chrono::milliseconds body_timeout;
  std::chrono::milliseconds idle_timeout;
};

class HttpServer {
 public:
  HttpServer(const KernelConfig& config, Dispatcher& dispatcher, sdk::Logger& log);
  ~HttpServer();

  /// Bind and listen (throws with the address on failure); returns the port.
  std::uint16_t listen();
  /// Run the I/O threads until shutdown() completes. Blocks.
  void run();
  /// Thread-safe: begin a graceful shutdown.
  void shutdown();
  /// SIGTERM and SIGINT begin a graceful shutdown.
  void handle_signals();
  std::uint16_t port() const { return port_; }
  int open_connections() const { return connections_.load(); }
  int in_flight() const { return in_flight_.load(); }

  // Used by sessions.
  const ServerLimits& limits() const { return limits_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  sdk::Logger& log() { return log_; }
  bool draining() const { return draining_.load(); }
  void session_opened(const std::shared_ptr<Session>& s);
  void session_closed(Session* s);
  std::atomic<int>& in_flight_counter() { return in_flight_; }

 private:
  void do_accept();
  /// Every kSweepInterval: close connections whose read or write is overdue.
  void sweep_deadlines();
  static constexpr std::chrono::milliseconds kSweepInterval{100};
  void drain_step();
  /// The open sessions, copied under the lock. Use them outside it: dropping
  /// the last reference runs ~Session, which takes the lock.
  std::vector<std::shared_ptr<Session>> live_sessions();
  void stop_all();

  const KernelConfig& config_;
  Dispatcher& dispatcher_;
  sdk::Logger& log_;
  ServerLimits limits_;
  // Declared before iocs_: sessions destroyed with their io_context still report here.
  std::atomic<bool> draining_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> in_flight_{0};
  std::mutex sessions_mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  ///< for shutdown: close idle ones
  std::vector<std::unique_ptr<boost::asio::io_context>> iocs_;  ///< [0] also runs the listener
  std::size_t next_ioc_ = 0;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::unique_ptr<boost::asio::steady_timer> drain_timer_;
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace ambit::kernel
