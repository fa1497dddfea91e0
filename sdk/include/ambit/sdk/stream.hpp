#pragma once
// Streamed responses (SDK 1.5): a body the handler writes over time, e.g.
// Server-Sent Events. The kernel sends the head at once with chunked
// transfer encoding; the handler (or any thread it hands the stream to)
// writes chunks and ends the body. The stream holds no thread: a write is
// queued on the connection's I/O thread.
//
//   auto stream = req.start_stream(sdk::Response{.status = 200, .content_type = "text/event-stream"});
//   stream->write("data: hello\n\n");
//   stream->close();
//   return head;  // not sent once a stream has started
//
// What the handler returns after starting a stream is not sent; its status
// goes to the request's metrics, audit row and access log line, recorded
// when the handler returns (so return the head).
//
// The stream may outlive the handler (hand it to another thread); dropping
// its last reference closes it. The kernel holds at most 1 MiB written but
// not yet sent per stream: past it (a client that stopped reading) the stream
// ends, so pace the writes. A client that left is noticed at once (the kernel
// watches the quiet connection; since 1.8, before at the next write), and a
// server shutdown ends every open stream (on_end runs).

#include <functional>
#include <memory>
#include <string>

namespace ambit::sdk {
inline namespace v1 {

struct Response;

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Queue `bytes` for the client (thread-safe); false once the stream has
  /// ended: closed, the client gone, or the server shutting down.
  virtual bool write(std::string bytes) = 0;
  /// End the body (thread-safe, idempotent); the connection then serves its
  /// next request.
  virtual void close() = 0;
  /// Whether write() still reaches the client.
  virtual bool open() const = 0;
  /// `callback` runs once when the stream ends for any reason (close(), the
  /// client gone, shutdown), on a kernel thread; at once if it has ended.
  /// Set it before handing the stream to another thread. Keep it short.
  virtual void on_end(std::function<void()> callback) = 0;

  // --- SDK 1.8 ----------------------------------------------------------------
  /// `bytes` to write last when a server shutdown ends this stream (for SSE:
  /// a `retry:` hint and a final event, so the client reconnects elsewhere).
  /// Not written when the stream ends otherwise. Thread-safe; the last call wins.
  virtual void set_farewell(std::string bytes) { (void)bytes; }
};

/// Made by the kernel for each request that may stream (Request::streams).
class StreamStarter {
 public:
  virtual ~StreamStarter() = default;
  /// Send `head` (status, content_type, headers; its body is ignored) and
  /// return the stream. At most once per request.
  virtual std::shared_ptr<ResponseStream> start(const Response& head) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
