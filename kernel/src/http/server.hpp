#pragma once
// The HTTP/1.1 server on Boost.Beast. One io_context per I/O thread (no
// locks or cross-thread wake-ups on the hot path); the listener deals
// accepted connections round-robin to them. A session reads one request at a
// time with a bounded parser and timeouts (deadlines that one sweeper timer
// checks, instead of a timer armed per read and write), hands it to the Dispatcher and
// writes the reply on its own thread. Requests on one connection are answered
// in order (pipelining-safe).
//
// Bounds: each connection's read buffer has a ceiling, an unfinished chunk
// line or trailer section a small one, and all connections together hold at
// most `max_buffered_bytes` of request bytes (503 past it). At
// `max_connections` an idle keep-alive connection is closed to make room,
// else the new one is refused (503).
//
// Streamed responses (sdk/stream.hpp): a handler may send the head at once
// and write the body over time, from any thread. The head goes out with
// chunked framing (HTTP/1.0: no framing, Connection: close); each socket
// write takes every chunk written since the last, under the write deadline;
// the reply the handler returns is then not sent. While a stream is open the
// connection has no read or idle deadline; a client that does not read is
// bounded by the bytes a stream may queue (then dropped). See
// response_stream.hpp.
//
// Shutdown: stop accepting, close idle connections and those still sending
// headers, let requests whose headers arrived finish (the rest of the body
// is read; answered with Connection: close) until `drain_timeout` ends.
// Open streams are ended at once (their last chunk written, then closed).

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
#include "http/client_address.hpp"
#include "http/dispatcher.hpp"
#include "log/log_throttle.hpp"

namespace ambit::kernel {

class Session;

struct ServerLimits {
  std::size_t body_limit;
  std::size_t header_limit;
  std::chrono::milliseconds header_timeout;
  std::chrono::milliseconds body_timeout;
  std::chrono::milliseconds idle_timeout;
  std::size_t max_connections;     ///< resolved: >= 1
  std::size_t max_buffered_bytes;  ///< resolved: >= 1
};

/// `server.max_connections`, or when 0: the descriptor limit (RLIMIT_NOFILE)
/// less a reserve for the database pool, files and plugins.
std::size_t resolve_max_connections(const KernelConfig& config);
/// `server.max_buffered_bytes`, or when 0: 64 MiB + body_limit x io_threads.
std::size_t resolve_max_buffered_bytes(const KernelConfig& config);

/// Request bytes held by all connections (read buffers and bodies being
/// read or handled). Each session charges what it holds and releases it.
class BufferBudget {
 public:
  explicit BufferBudget(std::size_t limit) : limit_(limit) {}
  /// Moves a session's charge from `charged` to `now`; false when growing
  /// to `now` takes the total over the limit (the charge is made anyway and
  /// released when the session closes).
  bool recharge(std::size_t& charged, std::size_t now);
  std::size_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

class HttpServer {
 public:
  /// Throws std::invalid_argument on a bad `server.trusted_proxies` entry.
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
  const TrustedProxies& trusted_proxies() const { return trusted_proxies_; }
  BufferBudget& buffer_budget() { return buffer_budget_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  sdk::Logger& log() { return log_; }
  bool draining() const { return draining_.load(); }
  void session_opened(const std::shared_ptr<Session>& s);
  void session_closed(Session* s);
  std::atomic<int>& in_flight_counter() { return in_flight_; }

 private:
  void do_accept();
  void on_accepted(const std::shared_ptr<Session>& session);
  /// EMFILE and the like: log (at most once a second) and retry after a
  /// pause instead of spinning on the pending connection.
  void on_accept_error(const boost::system::error_code& ec);
  /// At max_connections: asks the longest-idle keep-alive connection to
  /// close; false when none is idle.
  bool make_room();
  /// Every kSweepInterval: close connections whose read or write is overdue.
  void sweep_deadlines();
  static constexpr std::chrono::milliseconds kSweepInterval{100};
  void drain_step();
  /// The open sessions, copied under the lock. Use them outside it: dropping
  /// the last reference runs ~Session, which takes the lock.
  std::vector<std::shared_ptr<Session>> live_sessions();
  /// Cut the streams still open, then stop the I/O threads.
  void stop_all();

  const KernelConfig& config_;
  Dispatcher& dispatcher_;
  sdk::Logger& log_;
  ServerLimits limits_;
  TrustedProxies trusted_proxies_;
  BufferBudget buffer_budget_;
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
  // Accept pacing, on iocs_[0] only.
  std::unique_ptr<boost::asio::steady_timer> accept_timer_;
  int accept_failures_ = 0;        ///< consecutive
  LogThrottle accept_error_log_;
  LogThrottle refused_log_;
  std::unique_ptr<boost::asio::steady_timer> drain_timer_;
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace ambit::kernel
