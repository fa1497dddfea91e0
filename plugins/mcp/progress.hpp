#pragma once
// Tool calls that wait for their work (a project to provision, a secret to
// sync) when the client sent a progress token: the call's answer is held
// back on an SSE stream, notifications/progress report the work's status
// (from the operation's declared Completion) until it leaves its pending
// statuses or progress_timeout passes, then the answer ends the stream.
//
// One thread polls every waiting call; no request thread is held. A call is
// dropped when the client cancels it (notifications/cancelled, on whichever
// process receives it: forwarded by an event), ends its session, or goes away.

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "config.hpp"

namespace mcp {

namespace sdk = ambit::sdk;

struct Wait {
  std::shared_ptr<sdk::ResponseStream> stream;
  sdk::Principal caller;  ///< polls are not audited: the call itself was
  const sdk::Completion* completion = nullptr;
  boost::json::object poll_arguments;
  boost::json::value request_id;      ///< the JSON-RPC id of the call
  boost::json::value progress_token;
  std::string session_hash;
  std::string log_level;      ///< the session's, for notifications/message
  boost::json::object result;  ///< the call's tools/call result, sent at the end
  std::string status;          ///< the last status the poll read
  std::chrono::steady_clock::time_point deadline, next_poll;
  std::int64_t progress = 0;
  std::atomic<bool> cancelled{false};
};

class Progress {
 public:
  Progress(sdk::Context& ctx, const Config& config);
  ~Progress();
  void subscribe();  ///< the cancel events (setup)
  void start();
  void stop();  ///< ends every waiting call's stream

  /// The poll's arguments from the call's input and output.
  static boost::json::object poll_arguments(const sdk::Completion& completion, const boost::json::object& input,
                                            const boost::json::value& output);
  /// Takes `wait` (its stream started) and sends the first notification;
  /// false when max_progress_calls are waiting already.
  bool begin(std::shared_ptr<Wait> wait);
  /// notifications/cancelled of `request_id` in a session, on every process.
  void cancel(const std::string& session_hash, const boost::json::value& request_id);
  /// Every call of a session that ends in `tx`, on every process.
  void cancel_session(soci::session& tx, const std::string& session_hash);

 private:
  void loop();
  /// One step of a wait; true when it is over.
  bool step(Wait& w);
  void notify(Wait& w, const std::string& message);
  void log(Wait& w, const std::string& level, const std::string& message);
  void finish(Wait& w, const std::string& note);

  sdk::Context& ctx_;
  const Config& config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Wait>> waits_;
  bool stopping_ = false;
  std::thread thread_;
};

/// An SSE event carrying one JSON-RPC message.
std::string sse_event(const boost::json::value& message);

inline constexpr const char* kCancelTopic = "mcp.cancel";

}  // namespace mcp
