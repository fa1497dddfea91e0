#include "progress.hpp"

#include <algorithm>

#include "log_levels.hpp"

namespace json = boost::json;

namespace mcp {
namespace {

const json::value* at_pointer(const json::value& doc, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* v = doc.find_pointer(pointer, ec);
  return ec ? nullptr : v;
}

std::string status_in(const sdk::Completion& c, const json::value& body) {
  auto* v = at_pointer(body, c.status);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// The key of one call across processes: the session and the request id.
std::string call_key(const std::string& session_hash, const json::value& request_id) {
  return session_hash + " " + json::serialize(request_id);
}

}  // namespace

std::string sse_event(const json::value& message) { return "event: message\ndata: " + json::serialize(message) + "\n\n"; }

Progress::Progress(sdk::Context& ctx, const Config& config) : ctx_(ctx), config_(config) {}

Progress::~Progress() { stop(); }

void Progress::subscribe() {
  // "<session hash> <request id>" cancels one call, "<session hash> *" all of a session's.
  ctx_.events().subscribe(kCancelTopic, [this](std::string_view, std::string_view key) {
    std::lock_guard lock(mu_);
    for (auto& w : waits_)
      if (call_key(w->session_hash, w->request_id) == key || w->session_hash + " *" == key) w->cancelled = true;
    cv_.notify_all();
  });
}

void Progress::start() {
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Progress::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<Wait>> ending;
  {
    std::lock_guard lock(mu_);  // the event thread may still deliver a cancel
    ending.swap(waits_);
  }
  for (auto& w : ending) w->stream->close();
}

json::object Progress::poll_arguments(const sdk::Completion& c, const json::object& input, const json::value& output) {
  json::value doc = {{"input", input}, {"output", output}};
  json::object args;
  for (auto& [name, pointer] : c.arguments)
    if (auto* v = at_pointer(doc, pointer); v && !v->is_null()) args[name] = *v;
  return args;
}

bool Progress::begin(std::shared_ptr<Wait> w) {
  std::lock_guard lock(mu_);
  if (stopping_ || static_cast<int>(waits_.size()) >= config_.max_progress_calls) return false;
  auto now = std::chrono::steady_clock::now();
  w->deadline = now + config_.progress_timeout;
  w->next_poll = now;  // the first poll tells whether there is anything to wait for
  notify(*w, w->completion->operation + " answered; following " + w->completion->poll);
  log(*w, "info", w->completion->operation + " answered; waiting while " + w->completion->poll + " reads one of: " +
                      [&] {
                        std::string list;
                        for (auto& p : w->completion->pending) list += (list.empty() ? "" : ", ") + p;
                        return list;
                      }());
  // A client that goes away ends its wait at the next step.
  std::weak_ptr<Wait> weak = w;
  w->stream->on_end([this, weak] {
    if (auto alive = weak.lock()) alive->cancelled = true;
    cv_.notify_all();
  });
  waits_.push_back(std::move(w));
  cv_.notify_all();
  return true;
}

void Progress::cancel(const std::string& session_hash, const json::value& request_id) {
  ctx_.database().transaction(
      [&](soci::session& tx) { ctx_.events().publish(tx, kCancelTopic, call_key(session_hash, request_id)); });
}

void Progress::cancel_session(soci::session& tx, const std::string& session_hash) {
  ctx_.events().publish(tx, kCancelTopic, session_hash + " *");
}

void Progress::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto wake = std::chrono::steady_clock::now() + config_.progress_interval;
    for (auto& w : waits_) wake = std::min(wake, w->next_poll);
    cv_.wait_until(lock, wake);
    if (stopping_) break;
    // Poll outside the lock (the polls read the database); begin() may add meanwhile.
    auto current = waits_;
    lock.unlock();
    std::vector<Wait*> done;
    auto now = std::chrono::steady_clock::now();
    for (auto& w : current) {
      if (w->cancelled) {
        w->stream->close();  // cancelled: no answer (MCP: the client ignores one anyway)
        done.push_back(w.get());
      } else if (now >= w->next_poll) {
        if (step(*w)) done.push_back(w.get());
        w->next_poll = now + config_.progress_interval;
      }
    }
    lock.lock();
    std::erase_if(waits_, [&](auto& w) { return std::find(done.begin(), done.end(), w.get()) != done.end(); });
  }
}

bool Progress::step(Wait& w) {
  sdk::Response r = ctx_.operations().invoke(w.completion->poll, w.caller, w.poll_arguments);
  if (r.status < 200 || r.status >= 300) {
    finish(w, w.completion->poll + " answered HTTP " + std::to_string(r.status) + "; stopped waiting");
    return true;
  }
  boost::system::error_code ec;
  json::value body = json::parse(r.body, ec);
  std::string status = ec ? "" : status_in(*w.completion, body);
  bool still = std::find(w.completion->pending.begin(), w.completion->pending.end(), status) != w.completion->pending.end();
  if (status != w.status) {
    w.status = status;
    notify(w, w.completion->poll + ": " + status);
  }
  if (!still) {
    finish(w, w.completion->poll + " now reads " + status + ":\n" + r.body);
    return true;
  }
  if (std::chrono::steady_clock::now() >= w.deadline) {
    log(w, "warning", "stopped waiting after " + std::to_string(config_.progress_timeout.count() / 1000) +
                          " s; " + w.completion->poll + " still reads " + status);
    finish(w, w.completion->poll + " still reads " + status + " (stopped waiting):\n" + r.body);
    return true;
  }
  return false;
}

void Progress::notify(Wait& w, const std::string& message) {
  w.progress += 1;
  w.stream->write(sse_event({{"jsonrpc", "2.0"},
                             {"method", "notifications/progress"},
                             {"params", {{"progressToken", w.progress_token}, {"progress", w.progress}, {"message", message}}}}));
}

void Progress::log(Wait& w, const std::string& level, const std::string& message) {
  if (log_severity(level) < log_severity(w.log_level)) return;  // a session's level is always a known one
  w.stream->write(sse_event({{"jsonrpc", "2.0"},
                             {"method", "notifications/message"},
                             {"params", {{"level", level}, {"logger", "ambit"}, {"data", message}}}}));
}

void Progress::finish(Wait& w, const std::string& note) {
  // The call's own answer stays the result (a created project's keys are in
  // it, once); what the wait saw is added as text.
  w.result["content"].as_array().push_back(json::object{{"type", "text"}, {"text", note}});
  w.stream->write(sse_event({{"jsonrpc", "2.0"}, {"id", w.request_id}, {"result", w.result}}));
  w.stream->close();
}

}  // namespace mcp
