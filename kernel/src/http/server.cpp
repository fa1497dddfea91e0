#include "http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

#include "util/ids.hpp"

namespace ambit::kernel {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class BeastHeaders final : public sdk::HeaderView {
 public:
  explicit BeastHeaders(const http::fields& f) : fields_(f) {}
  std::optional<std::string_view> get(std::string_view name) const override {
    auto it = fields_.find(beast::string_view(name.data(), name.size()));
    if (it == fields_.end()) return std::nullopt;
    auto v = it->value();
    return std::string_view(v.data(), v.size());
  }

 private:
  const http::fields& fields_;
};

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  /// The socket is typed with its io_context's executor: no type-erased
  /// executor copies on every operation of the hot path.
  using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;

  Session(net::io_context& ioc, HttpServer& server) : socket_(ioc.get_executor()), server_(server) {}

  Socket& socket() { return socket_; }

  /// After HttpServer::session_opened; a session never started (the accept
  /// failed or was cancelled) was never counted.
  void start() {
    started_ = true;
    beast::error_code ec;
    auto peer = socket_.remote_endpoint(ec);
    if (!ec) remote_address_ = peer.address().to_string();
    net::dispatch(socket_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  /// Called on shutdown: close the connection unless a request is in flight.
  void close_if_idle() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

  /// Called by the server's sweeper, from any thread: closes the connection
  /// when its current read or write is past its deadline. One sweeper timer
  /// replaces a timer armed and cancelled on every read and write.
  void expire_if_due(std::int64_t now_ns) {
    std::int64_t due = deadline_ns_.load(std::memory_order_relaxed);
    if (due == 0 || due > now_ns) return;
    net::post(socket_.get_executor(), [self = shared_from_this(), due] {
      // Still the same deadline: nothing completed since the sweep saw it.
      if (self->deadline_ns_.load(std::memory_order_relaxed) == due) self->close();
    });
  }

  ~Session() {
    if (started_) server_.session_closed(this);
  }

 private:
  void do_read() {
    if (server_.draining()) return close();
    parser_.emplace();
    parser_->body_limit(server_.limits().body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits().header_limit));
    // The first request must arrive within the header timeout; later ones
    // may wait for the idle (keep-alive) timeout.
    expires_after(first_ ? server_.limits().header_timeout : server_.limits().idle_timeout);
    first_ = false;
    http::async_read_header(socket_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return on_request();
    expires_after(server_.limits().body_timeout);
    http::async_read(socket_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    on_request();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor)
      return close();
    // The request is unusable: answer once and close.
    if (ec == http::error::body_limit)
      return send_error(413, "PAYLOAD_TOO_LARGE",
                        "request body exceeds " + std::to_string(server_.limits().body_limit) + " bytes");
    if (ec == http::error::header_limit)
      return send_error(431, "HEADERS_TOO_LARGE", "request headers are too large");
    send_error(400, "BAD_REQUEST", "malformed HTTP request");
  }

  void send_error(int status, const std::string& code, const std::string& message) {
    keep_alive_ = false;
    auto r = error_response(status, code, message);
    r.headers.emplace_back("X-Request-Id", new_request_id());
    server_.log().info("request rejected", {{"status", status}, {"code", code}});
    write(std::move(r));
  }

  void on_request() {
    expires_never();
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    busy_ = true;
    server_.in_flight_counter()++;
    headers_.emplace(req.base());
    InboundRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.body = std::move(req.body());
    in.headers = &*headers_;
    in.remote_address = remote_address_;
    // dispatch: inline when the handler ran on this connection's I/O thread,
    // posted back to it when a worker ran it.
    server_.dispatcher().dispatch(std::move(in), [self = shared_from_this()](sdk::Response r) {
      net::dispatch(self->socket_.get_executor(), [self, r = std::move(r)]() mutable {
        self->server_.in_flight_counter()--;
        self->write(std::move(r));
      });
    });
  }

  void write(sdk::Response r) {
    bool keep = keep_alive_ && !server_.draining();
    serialize(r, keep);
    expires_after(server_.limits().body_timeout);
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      self->headers_.reset();
      if (ec || !keep) return self->close();
      self->do_read();
    });
  }

  /// The response as one buffer, written with one send: cheaper than Beast's
  /// serializer on the hot path. `out_` keeps its capacity between requests.
  void serialize(const sdk::Response& r, bool keep) {
    const unsigned version = version_ ? version_ : 11;
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(r.status);
    out_ += ' ';
    out_ += http::obsolete_reason(static_cast<http::status>(r.status));
    out_ += "\r\nServer: ambit\r\n";
    auto header = [this](std::string_view name, std::string_view value) {
      // A CR or LF from a handler would split the response: drop such a header.
      if (name.find_first_of("\r\n:") != std::string_view::npos || value.find_first_of("\r\n") != std::string_view::npos)
        return;
      out_ += name;
      out_ += ": ";
      out_ += value;
      out_ += "\r\n";
    };
    if (!r.content_type.empty()) header("Content-Type", r.content_type);
    for (auto& [k, v] : r.headers) header(k, v);
    // No body, and no Content-Length, for 1xx, 204 and 304 (RFC 9110 8.6).
    bool bodyless = r.status < 200 || r.status == 204 || r.status == 304;
    if (!bodyless) header("Content-Length", std::to_string(r.body.size()));
    if (!keep && version != 10) header("Connection", "close");
    if (keep && version == 10) header("Connection", "keep-alive");
    out_ += "\r\n";
    if (!bodyless) out_ += r.body;
  }

  void close() {
    expires_never();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);  // pending operations complete with operation_aborted
  }

  void expires_after(std::chrono::milliseconds timeout) {
    auto due = std::chrono::steady_clock::now() + timeout;
    deadline_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count(),
                       std::memory_order_relaxed);
  }
  void expires_never() { deadline_ns_.store(0, std::memory_order_relaxed); }

  Socket socket_;
  std::atomic<std::int64_t> deadline_ns_{0};  ///< steady clock; 0 = none
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::string out_;  ///< the response being written
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<BeastHeaders> headers_;
  bool keep_alive_ = true;
  bool first_ = true;
  bool started_ = false;
  std::string remote_address_;  ///< the peer's IP, read once per connection
  bool busy_ = false;
  unsigned version_ = 11;
};

namespace {
std::vector<std::unique_ptr<net::io_context>> make_contexts(int n) {
  std::vector<std::unique_ptr<net::io_context>> out;
  for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<net::io_context>(1));
  return out;
}
}  // namespace

HttpServer::HttpServer(const KernelConfig& config, Dispatcher& dispatcher, sdk::Logger& log)
    : config_(config),
      dispatcher_(dispatcher),
      log_(log),
      limits_{config.body_limit, config.header_limit, config.header_timeout, config.body_timeout, config.idle_timeout},
      iocs_(make_contexts(config.io_threads)),
      acceptor_(*iocs_[0]) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(config_.listen_host, ec);
  if (ec) throw std::runtime_error("server.listen: \"" + config_.listen_host + "\" is not an IP address");
  tcp::endpoint endpoint(address, config_.listen_port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + config_.listen_host + ":" + std::to_string(config_.listen_port) +
                             ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  do_accept();
  sweep_timer_ = std::make_unique<net::steady_timer>(*iocs_[0]);
  sweep_deadlines();
  return port_;
}

void HttpServer::do_accept() {
  auto session = std::make_shared<Session>(*iocs_[next_ioc_++ % iocs_.size()], *this);
  acceptor_.async_accept(session->socket(), [this, session](beast::error_code ec) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      log_.warn("accept failed", {{"error", ec.message()}});
    } else {
      session->socket().set_option(tcp::no_delay(true), ec);
      session_opened(session);
      session->start();
    }
    if (!draining_) do_accept();
  });
}

void HttpServer::sweep_deadlines() {
  sweep_timer_->expires_after(kSweepInterval);
  sweep_timer_->async_wait([this](beast::error_code ec) {
    if (ec) return;
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch()).count();
    for (auto& s : live_sessions()) s->expire_if_due(now);
    sweep_deadlines();
  });
}

void HttpServer::session_opened(const std::shared_ptr<Session>& s) {
  connections_++;
  std::lock_guard lock(sessions_mu_);
  sessions_.emplace(s.get(), s);
}

void HttpServer::session_closed(Session* s) {
  connections_--;
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(s);
}

void HttpServer::run() {
  // Keep every context running until stop_all(), even with no connections.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& ioc : iocs_) guards.push_back(net::make_work_guard(*ioc));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < iocs_.size(); ++i) threads.emplace_back([this, i] { iocs_[i]->run(); });
  iocs_[0]->run();
  for (auto& t : threads) t.join();
}

void HttpServer::stop_all() {
  if (sweep_timer_) sweep_timer_->cancel();
  for (auto& ioc : iocs_) ioc->stop();
}

void HttpServer::handle_signals() {
  signals_ = std::make_unique<net::signal_set>(*iocs_[0], SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    log_.info("signal received", {{"signal", signal}});
    shutdown();
  });
}

void HttpServer::shutdown() {
  net::post(*iocs_[0], [this] {
    if (draining_.exchange(true)) return;
    log_.info("shutting down: draining", {{"in_flight", in_flight_.load()}, {"connections", connections_.load()}});
    beast::error_code ec;
    acceptor_.close(ec);
    if (signals_) signals_->cancel(ec);
    drain_deadline_ = std::chrono::steady_clock::now() + config_.shutdown_grace;
    drain_timer_ = std::make_unique<net::steady_timer>(*iocs_[0]);
    drain_step();
  });
}

std::vector<std::shared_ptr<Session>> HttpServer::live_sessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(sessions_mu_);
  live.reserve(sessions_.size());
  for (auto& [raw, weak] : sessions_)
    if (auto s = weak.lock()) live.push_back(std::move(s));
  return live;
}

void HttpServer::drain_step() {
  for (auto& s : live_sessions()) s->close_if_idle();
  bool done = in_flight_.load() == 0 && connections_.load() == 0;
  if (done || std::chrono::steady_clock::now() >= drain_deadline_) {
    if (!done) log_.warn("shutdown grace period over; closing", {{"in_flight", in_flight_.load()}});
    stop_all();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(20));
  drain_timer_->async_wait([this](beast::error_code) { drain_step(); });
}

}  // namespace ambit::kernel
