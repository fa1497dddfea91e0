#pragma once
// A client connection that reads a response piece by piece: a streamed
// (chunked) body, chunk by chunk, and Server-Sent Events on top of it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ambit::test {

/// A field of a response head (`name` in lower case), or nullopt.
std::optional<std::string> field(const std::string& head, const std::string& name);

class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send(std::string_view bytes);
  void close();

  /// The head, through its blank line; "" when none came within `limit`.
  std::string head(std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// The next chunk's data, "" for the last chunk (without trailers); nullopt
  /// when none came within `limit` or the framing is wrong.
  std::optional<std::string> chunk(std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// A response framed by Content-Length: {head, body}; empty when none came.
  std::pair<std::string, std::string> response(std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// Reads until the server closes; false if it did not within `limit`.
  /// `rest` receives what came (beyond what was already taken).
  bool read_to_close(std::chrono::milliseconds limit, std::string* rest = nullptr);
  /// Bytes received but not yet taken.
  const std::string& buffered() const { return buffer_; }

 private:
  /// Receives until `done` holds; false on timeout or when the server closed first.
  bool fill_until(const std::function<bool()>& done, std::chrono::milliseconds limit);

  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

/// One Server-Sent Event (the fields this project's streams use).
struct SseEvent {
  std::string id, event, data, retry;
  bool comment_only = false;  ///< a block of `:` lines only (a heartbeat)
};

/// Server-Sent Events over a chunked response of a RawClient.
class SseReader {
 public:
  explicit SseReader(RawClient& client) : client_(client) {}
  /// The next block up to a blank line, or nullopt when none came within
  /// `limit` (or the body ended: then ended() is true).
  std::optional<SseEvent> next(std::chrono::milliseconds limit = std::chrono::seconds(10));
  /// The next block that dispatches an event (has data): no heartbeat, no
  /// lone `retry:`.
  std::optional<SseEvent> next_event(std::chrono::milliseconds limit = std::chrono::seconds(10));
  bool ended() const { return ended_; }

 private:
  RawClient& client_;
  std::string text_;  ///< body bytes not yet parsed
  bool ended_ = false;
};

}  // namespace ambit::test
