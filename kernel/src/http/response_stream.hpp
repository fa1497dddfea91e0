#pragma once
// A streamed response's body (sdk/stream.hpp) between the threads that write
// it and the connection's I/O thread. Writers frame their bytes (a chunk per
// write, or raw for HTTP/1.0) into a pending buffer under a mutex and wake
// the connection once; the connection takes everything pending per socket
// write, so writes keep their order and a burst goes out in one send.
//
// Bounded: the bytes written by the handler but not yet by the socket may not
// pass a limit (a client that stops reading); past it the stream ends and the
// connection is dropped. Nothing here holds a thread or the connection.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ambit/sdk/stream.hpp"

namespace ambit::kernel {

class StreamChannel {
 public:
  /// `chunked`: HTTP/1.1 chunked framing (else raw bytes, the body ending
  /// with the connection). `limit`: the most unwritten bytes (a single write
  /// into an empty queue may be larger). `wake`: asks the connection's I/O
  /// thread to call take(); called with the channel's mutex held, so that no
  /// wake-up is posted once end() has returned.
  StreamChannel(bool chunked, std::size_t limit, std::function<void()> wake);

  // The handler's side (any thread): sdk::ResponseStream.
  bool write(std::string_view bytes);
  void close();
  bool open() const;
  void on_end(std::function<void()> callback);
  void set_farewell(std::string bytes);

  // The connection's side (its I/O thread).
  struct Taken {
    std::size_t bytes = 0;  ///< appended to `out`; report them to written() once sent
    bool closing = false;   ///< close() was called: nothing follows what was taken
  };
  /// Appends the pending bytes (the terminating chunk last) to `out`.
  Taken take(std::string& out);
  void written(std::size_t bytes);
  /// The queue passed the limit: the client does not keep up.
  bool overflowed() const;
  std::size_t unwritten() const;
  /// Server shutdown: the farewell (if any) is written, then the body ends.
  void close_for_shutdown();
  /// The stream is over (body complete, client gone, server stopping): later
  /// writes return false and the on_end callback runs, once, on this thread.
  void end();

 private:
  void wake_once();  ///< with mu_ held
  bool append_locked(std::string_view bytes);  ///< write(), with mu_ held
  void close_locked();

  const bool chunked_;
  const std::size_t limit_;
  const std::function<void()> wake_;
  mutable std::mutex mu_;
  std::string pending_;        ///< framed bytes not yet taken
  std::size_t unwritten_ = 0;  ///< pending_ plus taken but not yet written
  bool closing_ = false;       ///< no more writes: close(), overflow or end()
  bool overflow_ = false;
  bool ended_ = false;
  bool wake_posted_ = false;   ///< a take() is already due
  std::function<void()> on_end_;
  std::string farewell_;  ///< written by close_for_shutdown()
};

/// What a handler holds. Dropping the last reference closes the stream (a
/// handler that forgets close() still ends its body and frees the connection).
class StreamHandle final : public sdk::ResponseStream {
 public:
  explicit StreamHandle(std::shared_ptr<StreamChannel> channel) : channel_(std::move(channel)) {}
  ~StreamHandle() override { channel_->close(); }
  bool write(std::string bytes) override { return channel_->write(bytes); }
  void close() override { channel_->close(); }
  bool open() const override { return channel_->open(); }
  void on_end(std::function<void()> callback) override { channel_->on_end(std::move(callback)); }
  void set_farewell(std::string bytes) override { channel_->set_farewell(std::move(bytes)); }

 private:
  std::shared_ptr<StreamChannel> channel_;
};

}  // namespace ambit::kernel
