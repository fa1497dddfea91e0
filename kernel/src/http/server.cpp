#include "http/server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <iterator>
#include <optional>
#include <utility>

#include "http/request_framing.hpp"
#include "http/response_stream.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// Bytes asked of the socket per read.
constexpr std::size_t kReadChunk = 64 << 10;
/// The longest unfinished chunk-size line (with its extensions) or trailer
/// section a connection may hold, and the longest chunk extension. Beast
/// buffers both without a limit of its own.
constexpr std::size_t kChunkMetadataLimit = 4 << 10;
/// An idle connection keeps a read buffer up to this size for its next request.
constexpr std::size_t kIdleBufferKeep = 16 << 10;
/// The most bytes a streamed response may have written but not yet sent
/// (the client not reading): past it the stream ends and the connection closes.
constexpr std::size_t kStreamQueueLimit = 1 << 20;

/// Fields that frame a message: the kernel sets them for a streamed body.
bool framing_field(std::string_view name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection");
}

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

/// Refuses a chunk extension over kChunkMetadataLimit (a complete one; an
/// unfinished one is caught by the buffered-bytes check).
struct ChunkExtensionCheck {
  void operator()(std::uint64_t, beast::string_view extensions, beast::error_code& ec) const {
    if (extensions.size() > kChunkMetadataLimit) ec = http::error::bad_chunk_extension;
  }
};

std::vector<std::string_view> forwarded_for(const http::fields& fields) {
  std::vector<std::string_view> lines;
  auto [first, last] = fields.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) lines.emplace_back(it->value().data(), it->value().size());
  return lines;
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  /// The socket is typed with its io_context's executor: no type-erased
  /// executor copies on every operation of the hot path.
  using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;

  /// Where the connection is in its current request. Written on the
  /// session's thread; read elsewhere only as a hint (eviction, drain).
  enum class Phase : std::uint8_t {
    idle,      ///< waiting for a request's first byte
    header,    ///< some of the request line and headers arrived
    body,      ///< headers complete, the body arriving
    handling,  ///< handed to the dispatcher
    streaming, ///< a streamed response's head sent, its body being written (stream.hpp)
    writing,   ///< the response being written
    closed,
  };

  Session(net::io_context& ioc, HttpServer& server)
      : socket_(ioc.get_executor()),
        server_(server),
        // The ceiling: the largest header plus one read.
        buffer_(server.limits().header_limit + kReadChunk) {}

  Socket& socket() { return socket_; }

  /// After HttpServer::session_opened; a session never started (the accept
  /// failed or was cancelled) was never counted.
  void start() {
    started_ = true;
    beast::error_code ec;
    auto peer = socket_.remote_endpoint(ec);
    if (!ec) {
      peer_ = peer.address();
      peer_text_ = unmapped(peer_).to_string();
      peer_trusted_ = server_.trusted_proxies().contains(peer_);
    }
    net::dispatch(socket_.get_executor(), beast::bind_front_handler(&Session::start_request, shared_from_this()));
  }

  /// Shutdown: close the connection unless a request's headers have arrived.
  /// An open stream is ended now (its farewell and last chunk written, then
  /// the connection closes): its handler may never end it, and clients
  /// should reconnect.
  void drain() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::idle || self->phase_ == Phase::header) return self->close();
      if (self->stream_ && !self->stream_ended_) {
        self->stream_->close_for_shutdown();
        self->flush_stream();
      }
    });
  }

  /// The drain is over: a stream still open (its last chunk stuck) is cut,
  /// so that its on_end runs on this thread before the I/O threads stop.
  void drop_stream() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->stream_ && !self->stream_ended_) self->close();
    });
  }

  /// At max_connections: close if still waiting for a request (a request
  /// that began meanwhile is served; the limit is then briefly exceeded).
  void close_if_idle() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::idle) return self->close();
      self->evicting_ = false;
    });
  }

  /// For make_room: idle now, and not yet asked to close (by another accept).
  bool claim_for_eviction() { return phase_ == Phase::idle && !evicting_.exchange(true); }
  bool idle() const { return phase_ == Phase::idle; }
  std::int64_t idle_since_ns() const { return idle_since_ns_.load(std::memory_order_relaxed); }

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
    if (stream_) stream_->end();
    server_.buffer_budget().recharge(charged_, 0);
    if (started_) server_.session_closed(this);
  }

 private:
  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  /// A new request: bytes already buffered (pipelined) are parsed first.
  void start_request() {
    if (server_.draining()) return close();
    parser_.emplace();
    parser_->body_limit(server_.limits().body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits().header_limit));
    parser_->on_chunk_header(chunk_check_);
    // Header first, alone, so its framing is checked before any body byte.
    parser_->eager(false);
    if (buffer_.size() == 0 && buffer_.capacity() > kIdleBufferKeep) buffer_.shrink_to_fit();
    if (buffer_.size() == 0) {
      // A new connection's first request must come within the header
      // timeout; later ones may wait for the idle (keep-alive) timeout.
      expires_after(fresh_ ? server_.limits().header_timeout : server_.limits().idle_timeout);
      idle_since_ns_.store(now_ns(), std::memory_order_relaxed);
      phase_ = Phase::idle;
    } else {
      expires_after(server_.limits().header_timeout);
      phase_ = Phase::header;
    }
    parse_buffered();
  }

  void do_read_some() {
    auto room = beast::read_size(buffer_, kReadChunk);
    if (room == 0) return on_read_error(http::error::buffer_overflow);
    socket_.async_read_some(buffer_.prepare(room),
                            beast::bind_front_handler(&Session::on_read_some, shared_from_this()));
  }

  void on_read_some(beast::error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (ec) return on_read_error(ec);
    if (phase_ == Phase::idle) {
      // The header timeout runs from a request's first byte (a kept-alive
      // connection's idle timeout only covers the wait for it).
      if (!fresh_) expires_after(server_.limits().header_timeout);
      phase_ = Phase::header;
    }
    parse_buffered();
  }

  /// Feeds the buffer to the parser; then dispatches, answers an error or
  /// reads more.
  void parse_buffered() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      auto used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) return on_read_error(ec);
      if (phase_ == Phase::header && parser_->is_header_done() && !on_header()) return;
      if (used == 0) break;
    }
    if (!charge_buffered())
      return send_error(503, "UNAVAILABLE", "the server is receiving too much at once; retry shortly", true);
    if (parser_->is_done()) return on_request();
    // Past the header, whatever the parser leaves in the buffer is an
    // unfinished chunk line or trailer section.
    if (phase_ == Phase::body && buffer_.size() > kChunkMetadataLimit)
      return send_error(400, "BAD_REQUEST", "chunk extension or trailer section too long");
    do_read_some();
  }

  /// The header is complete: check its framing, learn the client address,
  /// and read the body under the body timeout. False when answered already.
  bool on_header() {
    auto& req = parser_->get();
    if (auto problem = framing_problem(req.base(), req.version())) {
      send_error(problem->status, problem->code, problem->message);
      return false;
    }
    // Before the body: trailer fields must not speak for a proxy.
    remote_address_ =
        peer_trusted_ ? client_address(peer_, forwarded_for(req.base()), server_.trusted_proxies()) : peer_text_;
    header_fields_ = static_cast<std::size_t>(std::distance(req.base().begin(), req.base().end()));
    phase_ = Phase::body;
    expires_after(server_.limits().body_timeout);
    parser_->eager(true);
    return true;
  }

  /// The bytes this connection holds, charged to the server-wide budget.
  bool charge_buffered() {
    std::size_t held = buffer_.size() + (parser_ ? parser_->get().body().size() : 0);
    return server_.buffer_budget().recharge(charged_, held);
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
    if (ec == http::error::bad_chunk_extension)
      return send_error(400, "BAD_REQUEST", "chunk extension too long or malformed");
    send_error(400, "BAD_REQUEST", "malformed HTTP request");
  }

  void send_error(int status, const std::string& code, const std::string& message, bool retry_later = false) {
    keep_alive_ = false;
    auto r = error_response(status, code, message);
    r.headers.emplace_back("X-Request-Id", new_request_id());
    if (retry_later) r.headers.emplace_back("Retry-After", "1");
    server_.log().info("request rejected", {{"status", status}, {"code", code}, {"reason", message}});
    write(std::move(r));
  }

  /// Trailer fields are dropped (RFC 9110 §6.5.1 allows it): handlers see
  /// the header as it was when its framing and client address were checked.
  void drop_trailer_fields(http::fields& fields) const {
    auto it = fields.begin();
    for (std::size_t i = 0; i < header_fields_ && it != fields.end(); ++i) ++it;
    while (it != fields.end()) it = fields.erase(it);
  }

  void on_request() {
    expires_never();
    phase_ = Phase::handling;
    fresh_ = false;
    auto& req = parser_->get();
    drop_trailer_fields(req.base());
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    server_.in_flight_counter()++;
    headers_.emplace(req.base());
    InboundRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.body = std::move(req.body());
    in.headers = &*headers_;
    in.remote_address = remote_address_;
    in.streams = &streams_;
    stream_started_ = false;
    replied_ = stream_ended_ = false;
    // dispatch: inline when the handler ran on this connection's I/O thread,
    // posted back to it when a worker ran it.
    server_.dispatcher().dispatch(std::move(in), [self = shared_from_this()](sdk::Response r) {
      net::dispatch(self->socket_.get_executor(),
                    [self, r = std::move(r)]() mutable { self->on_reply(std::move(r)); });
    });
  }

  /// The handler returned. Once it started a stream, the stream is the
  /// answer: `r` only went to the metrics, the audit log and the access log.
  void on_reply(sdk::Response r) {
    server_.in_flight_counter()--;
    // Also settles a race with a late start(): from here on it throws.
    if (!stream_started_.exchange(true)) return write(std::move(r));
    replied_ = true;
    next_after_stream();
  }

  // Streamed responses (sdk/stream.hpp). The handler's thread frames bytes
  // into a StreamChannel and wakes this thread, which sends them in order,
  // one socket write at a time, each under the write deadline.

  /// The request's sdk::StreamStarter (InboundRequest::streams).
  class Streams final : public sdk::StreamStarter {
   public:
    explicit Streams(Session& session) : session_(session) {}
    std::shared_ptr<sdk::ResponseStream> start(const sdk::Response& head) override {
      return session_.start_stream(head);
    }

   private:
    Session& session_;
  };

  /// On the handler's thread: the head goes to this connection's thread.
  std::shared_ptr<sdk::ResponseStream> start_stream(const sdk::Response& head) {
    if (head.status < 200 || head.status == 204 || head.status == 304)
      throw std::invalid_argument("a streamed response needs a status that has a body");
    if (stream_started_.exchange(true))
      throw std::logic_error("start_stream: this request's response was already started or sent");
    auto executor = socket_.get_executor();
    // Weak: a handler keeping its stream must not keep the connection.
    auto wake = [executor, weak = weak_from_this()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->flush_stream();
      });
    };
    auto channel = std::make_shared<StreamChannel>(version_ != 10, kStreamQueueLimit, std::move(wake));
    sdk::Response bare;  // the body is not sent
    bare.status = head.status;
    bare.content_type = head.content_type;
    bare.headers = head.headers;
    net::post(executor, [self = shared_from_this(), pending = UnsentHead{channel}, bare = std::move(bare)]() mutable {
      self->begin_stream(std::exchange(pending.channel, nullptr), bare);
    });
    return std::make_shared<StreamHandle>(std::move(channel));
  }

  /// A stream whose head is on its way to the I/O thread. Dropped unsent
  /// (the thread stopped first), it ends the stream: on_end runs and writes
  /// fail instead of waking a connection that is gone.
  struct UnsentHead {
    std::shared_ptr<StreamChannel> channel;
    explicit UnsentHead(std::shared_ptr<StreamChannel> c) : channel(std::move(c)) {}
    UnsentHead(UnsentHead&& other) noexcept : channel(std::exchange(other.channel, nullptr)) {}
    UnsentHead& operator=(UnsentHead&&) = delete;
    ~UnsentHead() {
      if (channel) channel->end();
    }
  };

  /// Sends the head at once; the body follows as the handler writes it.
  void begin_stream(const std::shared_ptr<StreamChannel>& channel, const sdk::Response& head) {
    if (phase_ != Phase::handling) return channel->end();  // the connection closed meanwhile
    stream_ = channel;
    phase_ = Phase::streaming;
    stream_keep_ = keep_alive_ && version_ != 10 && !server_.draining();
    // Nothing is read while the stream lasts (minutes or hours): its read buffer goes.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    serialize_stream_head(head, stream_keep_);
    hold_while_streaming();
    watch_for_hangup();
    flush_stream();
  }

  /// A client that leaves a quiet stream is noticed at once, not at the next
  /// write (a heartbeat may be many seconds away): its descriptor and memory
  /// go now. Waits for readability without reading; bytes that arrive are a
  /// next request (pipelined), left for after the stream.
  void watch_for_hangup() {
    socket_.async_wait(net::socket_base::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->phase_ != Phase::streaming || self->stream_ended_) return;
      char byte;
      auto n = ::recv(self->socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return self->close();
      if (n < 0) self->watch_for_hangup();  // woken without data: wait again
    });
  }

  /// While a stream is open nothing else may be pending on the connection
  /// (the handler may have returned). A wait that never fires holds the
  /// session as a pending read or write would, and unlike a reference from
  /// the stream it makes no cycle: a session dropped with its io_context is
  /// freed (and its stream ended).
  void hold_while_streaming() {
    if (!stream_hold_) stream_hold_.emplace(socket_.get_executor());
    stream_hold_->expires_at(net::steady_timer::time_point::max());
    stream_hold_->async_wait([self = shared_from_this()](beast::error_code) {});
  }

  /// Sends what the handler wrote since the last write. Runs when the
  /// handler wakes this thread and after each write.
  void flush_stream() {
    if (!stream_ || stream_ended_) return;
    if (stream_->overflowed()) {
      server_.log().info("stream dropped: the client reads too slowly", {{"unwritten_bytes", stream_->unwritten()}});
      return close();  // also when a write is stuck: it may never complete
    }
    if (stream_writing_) return;  // its completion comes back here
    auto taken = stream_->take(out_);
    stream_taken_ = taken.bytes;
    if (!out_.empty()) return write_stream();
    if (taken.closing) return finish_stream();
    expires_never();  // the handler is quiet: no deadline meanwhile
  }

  void write_stream() {
    stream_writing_ = true;
    // Per write, so that a client that stops reading is dropped by the sweeper.
    expires_after(server_.limits().body_timeout);
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_stream_written(ec);
    });
  }

  void on_stream_written(beast::error_code ec) {
    stream_writing_ = false;
    std::string().swap(out_);  // a stream is quiet most of its life: it holds no write buffer
    if (ec || phase_ == Phase::closed) return close();  // the client is gone: the stream ends
    stream_->written(stream_taken_);
    flush_stream();
  }

  /// The whole body is on the wire (its last chunk, on HTTP/1.1).
  void finish_stream() {
    end_stream();
    if (!stream_keep_ || server_.draining()) close();  // HTTP/1.0: the close ends the body
    next_after_stream();
  }

  /// The stream is over (complete, or the connection closing): its on_end
  /// runs and the session stops holding itself open for it.
  void end_stream() {
    if (!stream_ || stream_ended_) return;
    stream_ended_ = true;
    if (stream_hold_) stream_hold_->cancel();
    stream_->end();
  }

  /// The request is done once its stream ended and its handler returned (the
  /// handler may read the headers until then): on to the next request.
  void next_after_stream() {
    if (!stream_ended_ || !replied_) return;
    stream_.reset();
    headers_.reset();
    if (phase_ != Phase::closed) start_request();
  }

  void write(sdk::Response r) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::writing;
    bool keep = keep_alive_ && !server_.draining();
    serialize(r, keep);
    expires_after(server_.limits().body_timeout);
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->headers_.reset();
      if (ec || !keep) return self->close();
      self->start_request();
    });
  }

  /// The response as one buffer, written with one send: cheaper than Beast's
  /// serializer on the hot path. `out_` keeps its capacity between requests.
  void serialize(const sdk::Response& r, bool keep) {
    start_head(r);
    for (auto& [k, v] : r.headers) add_header(k, v);
    // No body, and no Content-Length, for 1xx, 204 and 304 (RFC 9110 8.6).
    bool bodyless = r.status < 200 || r.status == 204 || r.status == 304;
    if (!bodyless) add_header("Content-Length", std::to_string(r.body.size()));
    if (!keep && version() != 10) add_header("Connection", "close");
    if (keep && version() == 10) add_header("Connection", "keep-alive");
    out_ += "\r\n";
    if (!bodyless) out_ += r.body;
  }

  /// A streamed response's head: chunked on HTTP/1.1; on HTTP/1.0 the body
  /// ends with the connection. Caches and proxies (nginx) are asked not to
  /// hold the events back, unless the handler says otherwise.
  void serialize_stream_head(const sdk::Response& head, bool keep) {
    start_head(head);
    bool cache_control = false;
    bool accel_buffering = false;
    for (auto& [k, v] : head.headers) {
      if (framing_field(k)) continue;
      cache_control = cache_control || beast::iequals(k, "Cache-Control");
      accel_buffering = accel_buffering || beast::iequals(k, "X-Accel-Buffering");
      add_header(k, v);
    }
    if (!cache_control) add_header("Cache-Control", "no-cache");
    if (!accel_buffering) add_header("X-Accel-Buffering", "no");
    if (version() != 10) add_header("Transfer-Encoding", "chunked");
    if (!keep) add_header("Connection", "close");
    out_ += "\r\n";
  }

  unsigned version() const { return version_ ? version_ : 11; }

  /// The status line, Server and Content-Type.
  void start_head(const sdk::Response& r) {
    out_.clear();
    out_ += version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(r.status);
    out_ += ' ';
    out_ += http::obsolete_reason(static_cast<http::status>(r.status));
    out_ += "\r\nServer: ambit\r\n";
    if (!r.content_type.empty()) add_header("Content-Type", r.content_type);
  }

  void add_header(std::string_view name, std::string_view value) {
    // A control character from a handler (CR or LF would split the response)
    // or a name that is not a token makes the header invalid: drop it.
    if (!valid_field_name(name) || !valid_field_value(value)) return;
    out_ += name;
    out_ += ": ";
    out_ += value;
    out_ += "\r\n";
  }

  void close() {
    phase_ = Phase::closed;
    expires_never();
    server_.buffer_budget().recharge(charged_, 0);
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);  // pending operations complete with operation_aborted
    end_stream();       // the client is gone, or the server cut the connection
  }

  void expires_after(std::chrono::milliseconds timeout) {
    auto due = std::chrono::steady_clock::now() + timeout;
    deadline_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count(),
                       std::memory_order_relaxed);
  }
  void expires_never() { deadline_ns_.store(0, std::memory_order_relaxed); }

  Socket socket_;
  std::atomic<std::int64_t> deadline_ns_{0};  ///< steady clock; 0 = none
  std::atomic<std::int64_t> idle_since_ns_{0};
  std::atomic<Phase> phase_{Phase::idle};
  std::atomic<bool> evicting_{false};
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::size_t charged_ = 0;  ///< bytes charged to the server's BufferBudget
  std::string out_;          ///< the response being written
  std::optional<http::request_parser<http::string_body>> parser_;
  ChunkExtensionCheck chunk_check_;
  std::size_t header_fields_ = 0;  ///< fields before any trailer
  std::optional<BeastHeaders> headers_;
  bool keep_alive_ = true;
  bool fresh_ = true;  ///< no request read yet
  bool started_ = false;
  net::ip::address peer_;
  std::string peer_text_;       ///< empty when the peer's address could not be read
  bool peer_trusted_ = false;   ///< a server.trusted_proxies entry: X-Forwarded-For is read
  std::string remote_address_;  ///< this request's client address (client_address())
  unsigned version_ = 11;
  // The current request's streamed response, once its handler starts one.
  Streams streams_{*this};
  std::atomic<bool> stream_started_{false};  ///< start() called, or the reply came first
  std::shared_ptr<StreamChannel> stream_;
  std::optional<net::steady_timer> stream_hold_;  ///< see hold_while_streaming
  std::size_t stream_taken_ = 0;  ///< the channel's bytes in the write in flight
  bool stream_keep_ = false;      ///< the connection serves another request after it
  bool stream_writing_ = false;
  bool stream_ended_ = false;
  bool replied_ = false;  ///< the handler returned (its Response not sent)
};

bool BufferBudget::recharge(std::size_t& charged, std::size_t now) {
  if (now <= charged) {
    used_.fetch_sub(charged - now, std::memory_order_relaxed);
    charged = now;
    return true;
  }
  auto grow = now - charged;
  charged = now;
  return used_.fetch_add(grow, std::memory_order_relaxed) + grow <= limit_;
}

std::size_t resolve_max_connections(const KernelConfig& config) {
  if (config.max_connections > 0) return config.max_connections;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
  auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
  // Kept for the rest of the process: database connections (SQLite opens
  // up to 3 files each), each I/O thread's reactor, the listener, log and
  // key files, plugin files.
  std::size_t reserve = 64 + 3 * static_cast<std::size_t>(config.pool_size) +
                        4 * static_cast<std::size_t>(std::max(1, config.io_threads));
  // A tiny limit still leaves half of it to connections.
  std::size_t half = std::max<std::size_t>(1, descriptors / 2);
  return std::max(descriptors > reserve ? descriptors - reserve : 0, half);
}

std::size_t resolve_max_buffered_bytes(const KernelConfig& config) {
  if (config.max_buffered_bytes > 0) return config.max_buffered_bytes;
  return (std::size_t{64} << 20) + config.body_limit * static_cast<std::size_t>(std::max(1, config.io_threads));
}

namespace {
std::vector<std::unique_ptr<net::io_context>> make_contexts(int n) {
  std::vector<std::unique_ptr<net::io_context>> out;
  for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<net::io_context>(1));
  return out;
}

/// A refused connection gets a short 503 if its socket takes it at once.
template <class Socket>
void refuse(Socket& socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nServer: ambit\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 90\r\n\r\n"
      R"({"error":{"code":"UNAVAILABLE","message":"too many connections; retry shortly","details":{}}})";
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.send(net::buffer(kBusy.data(), kBusy.size()), 0, ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec == net::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == net::error::no_buffer_space || ec == net::error::no_memory;
}
}  // namespace

HttpServer::HttpServer(const KernelConfig& config, Dispatcher& dispatcher, sdk::Logger& log)
    : config_(config),
      dispatcher_(dispatcher),
      log_(log),
      limits_{config.body_limit,
              config.header_limit,
              config.header_timeout,
              config.body_timeout,
              config.idle_timeout,
              resolve_max_connections(config),
              resolve_max_buffered_bytes(config)},
      trusted_proxies_(TrustedProxies::parse(config.trusted_proxies)),
      buffer_budget_(limits_.max_buffered_bytes),
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
  accept_timer_ = std::make_unique<net::steady_timer>(*iocs_[0]);
  do_accept();
  sweep_timer_ = std::make_unique<net::steady_timer>(*iocs_[0]);
  sweep_deadlines();
  log_.info("connection limits", {{"max_connections", limits_.max_connections},
                                  {"max_buffered_bytes", limits_.max_buffered_bytes},
                                  {"trusted_proxies", config_.trusted_proxies.size()}});
  return port_;
}

void HttpServer::do_accept() {
  auto session = std::make_shared<Session>(*iocs_[next_ioc_++ % iocs_.size()], *this);
  acceptor_.async_accept(session->socket(), [this, session](beast::error_code ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return on_accept_error(ec);
    accept_failures_ = 0;
    on_accepted(session);
    if (!draining_) do_accept();
  });
}

void HttpServer::on_accepted(const std::shared_ptr<Session>& session) {
  if (static_cast<std::size_t>(connections_.load()) >= limits_.max_connections && !make_room()) {
    std::int64_t held_back = 0;
    if (refused_log_.allow(held_back))
      log_.warn("connection refused: server.max_connections reached",
                {{"max_connections", limits_.max_connections}, {"also_refused", held_back}});
    refuse(session->socket());
    return;
  }
  beast::error_code ec;
  session->socket().set_option(tcp::no_delay(true), ec);
  session_opened(session);
  session->start();
}

void HttpServer::on_accept_error(const boost::system::error_code& ec) {
  std::int64_t held_back = 0;
  if (accept_error_log_.allow(held_back))
    log_.warn("accept failed", {{"error", ec.message()}, {"also_failed", held_back}});
  // Out of descriptors: an idle keep-alive connection gives one back.
  if (out_of_descriptors(ec)) make_room();
  // 50 ms, then 100 ms while it keeps failing: the pending connection stays
  // in the backlog, and re-arming at once would spin on it.
  auto pause = std::chrono::milliseconds(accept_failures_++ == 0 ? 50 : 100);
  accept_timer_->expires_after(pause);
  accept_timer_->async_wait([this](beast::error_code wait_ec) {
    if (!wait_ec && !draining_) do_accept();
  });
}

bool HttpServer::make_room() {
  std::shared_ptr<Session> oldest;
  for (auto& s : live_sessions())
    if (s->idle() && (!oldest || s->idle_since_ns() < oldest->idle_since_ns())) oldest = s;
  if (!oldest || !oldest->claim_for_eviction()) return false;
  oldest->close_if_idle();
  return true;
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
  for (auto& s : live_sessions()) s->drop_stream();
  // Posted after drop_stream: a stream's on_end (plugin code) runs before
  // run() returns and the plugins stop.
  for (auto& ioc : iocs_) net::post(*ioc, [&context = *ioc] { context.stop(); });
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
    if (accept_timer_) accept_timer_->cancel();
    if (signals_) signals_->cancel(ec);
    drain_deadline_ = std::chrono::steady_clock::now() + config_.drain_timeout;
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
  for (auto& s : live_sessions()) s->drain();
  bool done = in_flight_.load() == 0 && connections_.load() == 0;
  if (done || std::chrono::steady_clock::now() >= drain_deadline_) {
    if (!done)
      log_.warn("drain timeout over; closing",
                {{"in_flight", in_flight_.load()}, {"connections", connections_.load()}});
    stop_all();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(20));
  drain_timer_->async_wait([this](beast::error_code) { drain_step(); });
}

}  // namespace ambit::kernel
