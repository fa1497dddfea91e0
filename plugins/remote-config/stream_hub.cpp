#include "stream_hub.hpp"

#include <boost/json.hpp>

#include <unordered_set>

#include "ambit/sdk/projects.hpp"
#include "client_context.hpp"
#include "compiled.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kFanoutBatch = 256;  ///< stream writes between two pauses of a fan-out
constexpr std::chrono::microseconds kFanoutPause{1000};

std::string config_event(const Evaluation& e) {
  std::string out;
  out.reserve(e.config_json.size() + 2 * e.etag.size() + 64);
  out += "id: ";
  out += e.etag;
  out += "\nevent: config\ndata: ";
  append_bundle(e, out);
  out += "\n\n";
  return out;
}

std::string end_event(const std::string& reason, const std::string& message, bool reconnect) {
  boost::json::object data{{"reason", reason}, {"message", message}, {"reconnect", reconnect}};
  return "event: end\ndata: " + boost::json::serialize(data) + "\n\n";
}

std::string end_message(const std::string& reason) {
  if (reason == "revoked") return "the API key was revoked";
  if (reason == "project_archived") return "the project was archived";
  if (reason == "project_deleted") return "the project was deleted";
  return "the API key is no longer accepted (" + reason + ")";
}

}  // namespace

struct StreamHub::Listener {
  std::shared_ptr<sdk::ResponseStream> stream;
  std::string project_id;
  std::string tenant_id;
  std::string credential;
  EvalContext context;
  std::string context_key;
  std::mutex mu;      ///< orders the first event before any refresh
  std::size_t beat_slice = 0;  ///< which second of the heartbeat period is its
  std::string etag;   ///< the result the client holds (guarded by mu)
  bool ended = false;  ///< guarded by mu
};

StreamHub::StreamHub(sdk::Context& ctx, ConfigCache& cache, const Config& config)
    : ctx_(ctx),
      cache_(cache),
      heartbeat_every_(config.stream_heartbeat_seconds),
      recheck_every_(config.stream_recheck_seconds),
      retry_("retry: " + std::to_string(config.stream_retry_ms) + "\n"),
      farewell_(retry_ + end_event("shutting_down", "the server is shutting down; reconnect", true)) {}

StreamHub::~StreamHub() { stop(); }

void StreamHub::start() { thread_ = std::thread([this] { run(); }); }

void StreamHub::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamHub::open(std::shared_ptr<sdk::ResponseStream> stream, Opening o) {
  auto l = std::make_shared<Listener>();
  l->stream = stream;
  l->project_id = std::move(o.project_id);
  l->tenant_id = std::move(o.tenant_id);
  l->credential = std::move(o.credential);
  l->context_key = context_key(o.context);
  l->context = std::move(o.context);
  l->etag = std::move(o.last_event_id);
  stream->set_farewell(farewell_);
  {
    // Registered before the key and the config are read again: a change
    // committed after these reads queues work that finds the stream, and
    // waits for l->mu.
    std::lock_guard first(l->mu);
    {
      std::lock_guard lock(mu_);
      l->beat_slice = count_ % static_cast<std::size_t>(heartbeat_every_.count());
      by_project_[l->project_id].emplace(l.get(), l);
      ++count_;
    }
    try {
      send_first(*l);
    } catch (const std::exception& e) {  // the database went away since the handler read the config
      ctx_.logger().warn("config stream: first event failed", {{"project_id", l->project_id}, {"error", e.what()}});
      l->ended = true;
      stream->write(retry_ + end_event("unavailable", "the config could not be read; reconnect", true));
      stream->close();
    }
  }
  stream->on_end([this, raw = l.get(), project = l->project_id] { remove(project, raw); });
}

void StreamHub::send_first(Listener& l) {
  // The key again: a revocation committed since the dispatcher checked it
  // queued its recheck before this stream could be found.
  auto still = ctx_.authenticate(l.credential);
  if (!still.principal) {
    std::string reason = ended_reason(l, still.reason);
    return end(l, reason, end_message(reason));
  }
  Evaluation e;
  cache_.get(l.project_id)->evaluate(l.context, true, e);
  if (e.etag == l.etag) {
    l.stream->write(retry_ + "\n");  // the client is current: nothing until a change
  } else {
    l.stream->write(retry_ + config_event(e));
    l.etag = std::move(e.etag);
  }
}

void StreamHub::config_changed(std::string_view project_id) { queue(changed_configs_, project_id); }

void StreamHub::project_changed(std::string_view project_id) { queue(changed_projects_, project_id); }

void StreamHub::queue(std::set<std::string>& work, std::string_view project_id) {
  std::lock_guard lock(mu_);
  if (!by_project_.count(std::string(project_id))) return;  // no stream of it here
  work.emplace(project_id);
  wake_.notify_one();
}

void StreamHub::reset() {
  std::lock_guard lock(mu_);
  reset_ = true;
  wake_.notify_one();
}

void StreamHub::remove(const std::string& project_id, const Listener* l) {
  std::lock_guard lock(mu_);
  auto it = by_project_.find(project_id);
  if (it == by_project_.end() || !it->second.erase(l)) return;
  --count_;
  if (it->second.empty()) by_project_.erase(it);
}

StreamHub::Listeners StreamHub::listeners_of(const std::string& project_id) const {
  Listeners out;
  std::lock_guard lock(mu_);
  if (auto it = by_project_.find(project_id); it != by_project_.end()) {
    out.reserve(it->second.size());
    for (auto& [raw, l] : it->second) out.push_back(l);
  }
  return out;
}

StreamHub::Listeners StreamHub::everyone() const {
  Listeners out;
  std::lock_guard lock(mu_);
  out.reserve(count_);
  for (auto& [project, listeners] : by_project_)
    for (auto& [raw, l] : listeners) out.push_back(l);
  return out;
}

void StreamHub::run() {
  next_beat_ = Clock::now() + std::chrono::seconds(1);
  auto next_check = Clock::now() + recheck_every_;
  std::set<std::string> retry_later;  // configs that could not be read: again in a second
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto due = std::min(next_beat_, next_check);
    if (!retry_later.empty()) due = std::min(due, Clock::now() + std::chrono::seconds(1));
    wake_.wait_until(lock, due, [this] {
      return stopping_ || reset_ || !changed_configs_.empty() || !changed_projects_.empty();
    });
    if (stopping_) break;
    auto configs = std::exchange(changed_configs_, {});
    auto projects = std::exchange(changed_projects_, {});
    bool reset = std::exchange(reset_, false);
    if (reset)
      for (auto& [project, listeners] : by_project_) configs.insert(project);
    lock.unlock();

    configs.merge(retry_later);
    retry_later.clear();
    try {
      // Keys first: a stream whose project is gone ends before any refresh.
      if (reset || Clock::now() >= next_check) {
        recheck(everyone());
        next_check = Clock::now() + recheck_every_;
      } else {
        for (auto& project : projects) recheck(listeners_of(project));
      }
      for (auto it = configs.begin(); it != configs.end(); ++it) {
        if (refresh(*it)) continue;
        // The database is away: the rest waits too, rather than each waiting for its timeout.
        retry_later.insert(it, configs.end());
        break;
      }
      beat_if_due();
    } catch (const std::exception& e) {  // the thread serves every stream: it must not end
      ctx_.logger().error("config streams: a pass failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

void StreamHub::beat_if_due() {
  if (Clock::now() < next_beat_) return;
  // One slice of the streams each second, each stream once per heartbeat
  // period: 10,000 heartbeats are not one burst on the I/O threads.
  beat_slice_ = (beat_slice_ + 1) % static_cast<std::size_t>(heartbeat_every_.count());
  for (auto& l : everyone())
    if (l->beat_slice == beat_slice_) l->stream->write(": keep-alive\n\n");
  next_beat_ = Clock::now() + std::chrono::seconds(1);
}

bool StreamHub::refresh(const std::string& project_id) {
  Listeners listeners = listeners_of(project_id);
  if (listeners.empty()) return true;
  std::shared_ptr<const CompiledConfig> compiled;
  try {
    compiled = cache_.get(project_id);
  } catch (const std::exception& e) {
    ctx_.logger().warn("config stream: reading the config failed; retrying",
                       {{"project_id", project_id}, {"error", e.what()}});
    return false;
  }
  // One evaluation per distinct context, one context at a time: a change seen
  // by 10,000 equal clients is evaluated and serialized once, and no more
  // than one serialized event is held at once.
  std::unordered_map<std::string_view, Listeners> by_context;
  for (auto& l : listeners) by_context[l->context_key].push_back(l);
  for (auto& [key, group] : by_context) {
    Evaluation current;
    compiled->evaluate(group.front()->context, false, current);  // the ETag only
    std::string event;
    for (auto& l : group) {
      std::lock_guard lock(l->mu);
      if (l->ended || current.etag == l->etag) continue;
      if (event.empty()) {
        Evaluation full;
        compiled->evaluate(l->context, true, full);
        event = config_event(full);
      }
      l->stream->write(event);
      l->etag = current.etag;
      pace_fanout();
    }
    beat_if_due();
  }
  return true;
}

void StreamHub::pace_fanout() {
  // Each write is a task queued on a connection's I/O thread; 10,000 at once
  // would stand in front of every other request there. A short pause every
  // few hundred lets the I/O threads serve what came in between.
  if (++fanout_writes_ % kFanoutBatch == 0) std::this_thread::sleep_for(kFanoutPause);
}

std::string StreamHub::ended_reason(const Listener& l, const std::string& auth_reason) {
  if (auth_reason != "unknown") return auth_reason;
  // A deleted project's keys are gone with it: say which.
  try {
    sdk::Principal tenant;
    tenant.tenant_id = l.tenant_id;
    sdk::projects(ctx_).resolve(tenant, l.project_id);
  } catch (const sdk::ApiError& e) {
    if (e.status() == 404) return "project_deleted";
  } catch (const std::exception&) {  // the database is away: the key's own reason stands
  }
  return auth_reason;
}

void StreamHub::recheck(const Listeners& listeners) {
  std::unordered_map<std::string_view, std::string> ended;  // per distinct key that no longer works: why
  std::unordered_set<std::string_view> decided;
  for (auto& l : listeners) {
    if (!decided.insert(l->credential).second) continue;
    sdk::AuthResult result;
    try {
      result = ctx_.authenticate(l->credential);
    } catch (const std::exception& e) {
      // The database is away: keep streaming, and ask again later rather than
      // wait for each key's timeout in turn.
      ctx_.logger().warn("config stream: authenticating a key again failed", {{"error", e.what()}});
      break;
    }
    if (!result.principal) ended[l->credential] = ended_reason(*l, result.reason);
    beat_if_due();
  }
  if (ended.empty()) return;
  for (auto& l : listeners) {
    auto it = ended.find(l->credential);
    if (it == ended.end()) continue;
    std::lock_guard lock(l->mu);
    if (!l->ended) end(*l, it->second, end_message(it->second));
  }
}

void StreamHub::end(Listener& l, const std::string& reason, const std::string& message) {
  l.ended = true;
  l.stream->write(end_event(reason, message, false));
  l.stream->close();
}

}  // namespace remote_config
