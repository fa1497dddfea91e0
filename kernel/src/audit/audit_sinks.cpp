#include "audit/audit_sinks.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

namespace ambit::kernel {
namespace {

constexpr std::size_t kBatchRows = 1000;
constexpr std::size_t kMaxErrorChars = 500;  // a sink's message may quote what it was given

std::chrono::milliseconds backoff(const AuditSinksOptions& options, int failed_attempts) {
  auto delay = options.retry_base;
  for (int i = 1; i < failed_attempts && delay < options.retry_max; ++i) delay *= 2;
  return std::min(delay, options.retry_max);
}

/// The sink's error, or nothing when the batch was written.
std::optional<std::string> write_batch(sdk::AuditSink& sink, const boost::json::array& batch) {
  try {
    sink.write(batch);
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what()).substr(0, kMaxErrorChars);
  } catch (...) {
    return std::string("unknown exception");
  }
}

}  // namespace

AuditSinks::AuditSinks(sdk::Logger& log, AuditSinksOptions options) : log_(log), options_(options) {
  // The batch being written counts against the bound, so a batch fits in it.
  options_.max_backlog_rows = std::max<std::size_t>(options_.max_backlog_rows, 1);
}

AuditSinks::~AuditSinks() { stop(); }

void AuditSinks::add(std::string name, std::shared_ptr<sdk::AuditSink> sink) {
  if (!sink) throw std::invalid_argument("audit sink \"" + name + "\" is null");
  std::lock_guard lock(shared_->mu);
  if (started_ || stopped_) throw std::logic_error("audit sink \"" + name + "\" added after start");
  for (auto& s : shared_->sinks)
    if (s->name == name) throw std::invalid_argument("audit sink \"" + name + "\" is registered twice");
  auto s = std::make_unique<Sink>();
  s->name = std::move(name);
  s->sink = std::move(sink);
  shared_->sinks.push_back(std::move(s));
}

bool AuditSinks::empty() const {
  std::lock_guard lock(shared_->mu);
  return shared_->sinks.empty();
}

void AuditSinks::start() {
  std::lock_guard lock(shared_->mu);
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& s : shared_->sinks)
    threads_.emplace_back([shared = shared_, &sink = *s, &log = log_, options = options_] {
      run(shared, sink, log, options);
    });
}

void AuditSinks::deliver(const boost::json::array& rows) {
  if (rows.empty() || empty()) return;
  deliver(boost::json::array(rows, boost::json::storage_ptr()));  // copied outside the lock
}

void AuditSinks::deliver(boost::json::array&& moved) {
  if (moved.empty() || empty()) return;
  // The rows outlive the call: not in a memory resource of the caller's.
  const bool own = moved.storage().get() == boost::json::storage_ptr().get();
  auto chunk = std::make_shared<const boost::json::array>(own ? std::move(moved)
                                                              : boost::json::array(moved, boost::json::storage_ptr()));
  const auto& rows = *chunk;
  std::vector<std::string> started_dropping;
  bool after_stop = false;
  {
    std::lock_guard lock(shared_->mu);
    for (auto& s : shared_->sinks) {
      if (shared_->stopping) {
        s->dropped += rows.size();
        if (!std::exchange(shared_->warned_after_stop, true)) after_stop = true;  // logged once
        continue;
      }
      s->backlog.push_back({chunk, 0, rows.size()});
      s->queued += rows.size();
      std::size_t held = s->queued + s->in_flight;
      if (held <= options_.max_backlog_rows) continue;
      // The batch being written cannot be dropped: it is retried as it is.
      drop_oldest(*s, std::min(held - options_.max_backlog_rows, s->queued));
      if (!s->warned_dropping) started_dropping.push_back(s->name);
      s->warned_dropping = true;
    }
  }
  shared_->cv.notify_all();
  for (auto& name : started_dropping)
    log_.warn("audit sink backlog full; dropping its oldest rows",
              {{"sink", name}, {"max_backlog_rows", options_.max_backlog_rows}});
  if (after_stop) log_.warn("audit rows delivered after the sinks stopped are dropped", {{"rows", rows.size()}});
}

void AuditSinks::stop(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<bool> stuck;
  boost::json::object undelivered;
  boost::json::array stuck_names;
  std::uint64_t total = 0;
  {
    std::unique_lock lock(shared_->mu);
    if (stopped_) return;
    stopped_ = true;
    shared_->stopping = true;
    shared_->cv.notify_all();
    auto all_finished = [this] {
      return std::all_of(shared_->sinks.begin(), shared_->sinks.end(), [](auto& s) { return s->finished; });
    };
    if (started_) shared_->cv.wait_until(lock, deadline, all_finished);
    shared_->abandoned = true;
    shared_->cv.notify_all();
    for (auto& s : shared_->sinks) {
      stuck.push_back(started_ && !s->finished);
      if (stuck.back()) stuck_names.emplace_back(s->name);
      std::size_t left = s->queued + s->in_flight;
      if (left == 0) continue;
      s->dropped += left;
      s->backlog.clear();
      s->queued = s->in_flight = 0;
      undelivered[s->name] = left;
      total += left;
    }
  }
  if (total > 0)
    log_.warn("audit sinks stopped with rows undelivered; they are dropped",
              {{"rows", total}, {"sinks", undelivered}, {"still_writing", stuck_names}});
  // A thread inside a stuck write() cannot be joined within grace; it holds
  // its own reference to the state and returns without touching it.
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    if (stuck[i])
      threads_[i].detach();
    else
      threads_[i].join();
  }
  threads_.clear();
}

std::vector<AuditSinkStats> AuditSinks::stats() const {
  std::lock_guard lock(shared_->mu);
  std::vector<AuditSinkStats> out;
  for (auto& s : shared_->sinks) out.push_back({s->name, s->delivered, s->failures, s->dropped, s->queued + s->in_flight});
  return out;
}

// A sink's thread: one batch at a time, retried until written, then the next.
// Logging happens under the lock: once stop() gives up on a thread, its
// logger may be gone, and `abandoned` is only read under the lock.
void AuditSinks::run(const std::shared_ptr<Shared>& shared, Sink& sink, sdk::Logger& log, AuditSinksOptions options) {
  const std::size_t batch_rows = std::min(kBatchRows, options.max_backlog_rows);
  boost::json::array batch;
  int failed_attempts = 0;
  std::unique_lock lock(shared->mu);
  for (;;) {
    if (batch.empty()) {
      shared->cv.wait(lock, [&] { return sink.queued > 0 || shared->stopping; });
      if (shared->abandoned || sink.queued == 0) break;
      auto chunks = take(sink, batch_rows);
      batch.reserve(sink.in_flight);
      lock.unlock();
      for (auto& c : chunks)
        for (std::size_t i = c.begin; i < c.end; ++i) batch.push_back((*c.rows)[i]);
    } else {
      lock.unlock();
    }
    auto error = write_batch(*sink.sink, batch);
    lock.lock();
    if (shared->abandoned) return;
    if (!error) {
      sink.delivered += batch.size();
      sink.in_flight = 0;
      batch.clear();
      failed_attempts = 0;
      if (sink.queued == 0) sink.warned_dropping = false;
      continue;
    }
    sink.failures++;
    auto delay = backoff(options, ++failed_attempts);
    log.warn("audit sink write failed; will retry",
             {{"sink", sink.name}, {"error", *error}, {"rows", batch.size()}, {"retry_in_ms", delay.count()}});
    // stop() cuts a backoff short once: the sink gets one more try within grace.
    const bool was_stopping = shared->stopping;
    shared->cv.wait_for(lock, delay, [&] { return shared->abandoned || shared->stopping != was_stopping; });
    if (shared->abandoned) return;
  }
  sink.finished = true;
  shared->cv.notify_all();
}

std::vector<AuditSinks::Chunk> AuditSinks::take(Sink& sink, std::size_t max_rows) {
  std::vector<Chunk> out;
  const std::size_t taken = std::min(max_rows, sink.queued);
  for (std::size_t left = taken; left > 0;) {
    auto& front = sink.backlog.front();
    std::size_t n = std::min(left, front.end - front.begin);
    out.push_back({front.rows, front.begin, front.begin + n});
    front.begin += n;
    left -= n;
    if (front.begin == front.end) sink.backlog.pop_front();
  }
  sink.queued -= taken;
  sink.in_flight = taken;
  return out;
}

void AuditSinks::drop_oldest(Sink& sink, std::size_t rows) {
  for (std::size_t left = rows; left > 0;) {
    auto& front = sink.backlog.front();
    std::size_t n = std::min(left, front.end - front.begin);
    front.begin += n;
    left -= n;
    if (front.begin == front.end) sink.backlog.pop_front();
  }
  sink.queued -= rows;
  sink.dropped += rows;
}

}  // namespace ambit::kernel
