#pragma once
// The open config streams (GET /v1/client/config/stream) of this process.
//
// One thread serves them all; a stream costs no thread and no database
// connection, only its connection and a Listener. When a project's config
// changes (kConfigChangedTopic, from any process), the thread evaluates the
// project once per distinct client context and writes an event to each
// stream whose result changed. It also writes the heartbeats and
// authenticates each stream's key again (at once when its project changes: a
// key revoked, the project archived or deleted; and every
// stream_recheck_seconds), ending the stream with a final `end` event saying why.
//
// Events (Server-Sent Events):
//   id: <etag> / event: config / data: {"config": {...}, "etag": "<etag>"}
//   event: end / data: {"reason": "...", "message": "...", "reconnect": false}
//   : keep-alive
// At shutdown the kernel writes each stream's farewell: `retry:` and an end
// event with reason shutting_down and reconnect true.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "config_cache.hpp"
#include "segments.hpp"

namespace remote_config {

class StreamHub {
 public:
  struct Opening {
    std::string project_id;
    std::string tenant_id;
    EvalContext context;
    std::string credential;     ///< the key it came with, authenticated again later
    std::string last_event_id;  ///< Last-Event-ID: no first event when it is current
  };

  StreamHub(ambit::sdk::Context& ctx, ConfigCache& cache, const Config& config);
  ~StreamHub();

  void start();
  void stop();

  /// Registers the stream and writes its first event (a blocking call: a
  /// worker thread's).
  void open(std::shared_ptr<ambit::sdk::ResponseStream> stream, Opening opening);
  /// Event handlers (short): queue work for the hub's thread.
  void config_changed(std::string_view project_id);
  void project_changed(std::string_view project_id);
  void reset();  ///< events may have been missed: everything again

 private:
  struct Listener;
  using Listeners = std::vector<std::shared_ptr<Listener>>;

  /// Queue a project of this process's streams in `work` (one of the change sets).
  void queue(std::set<std::string>& work, std::string_view project_id);
  void run();
  /// The first event of a registered stream (its mu held).
  void send_first(Listener& l);
  /// Evaluate the project's streams again; false when the config could not be loaded.
  bool refresh(const std::string& project_id);
  /// Authenticate the listeners' keys again, once per distinct key.
  void recheck(const Listeners& listeners);
  /// The heartbeat of every stream when it is due; called between units of
  /// work too, so a slow pass (a database that is away) does not starve it.
  void beat_if_due();
  /// After each event written by a fan-out: now and then, a pause.
  void pace_fanout();
  void end(Listener& l, const std::string& reason, const std::string& message);
  void remove(const std::string& project_id, const Listener* l);
  Listeners listeners_of(const std::string& project_id) const;
  Listeners everyone() const;
  std::string ended_reason(const Listener& l, const std::string& auth_reason);

  ambit::sdk::Context& ctx_;
  ConfigCache& cache_;
  const std::chrono::seconds heartbeat_every_;
  const std::chrono::seconds recheck_every_;
  const std::string retry_;     ///< "retry: <ms>\n"
  const std::string farewell_;  ///< written by the kernel at shutdown
  std::chrono::steady_clock::time_point next_beat_;  ///< the hub thread's: each second
  std::size_t beat_slice_ = 0;                       ///< the slice of streams due this second
  std::size_t fanout_writes_ = 0;                    ///< the hub thread's, for pace_fanout

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unordered_map<std::string, std::unordered_map<const Listener*, std::shared_ptr<Listener>>> by_project_;
  std::size_t count_ = 0;  ///< streams in by_project_
  std::set<std::string> changed_configs_;   ///< queued: evaluate their streams again
  std::set<std::string> changed_projects_;  ///< queued: authenticate their streams' keys again
  bool reset_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace remote_config
