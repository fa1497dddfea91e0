#include "audit/audit_log.hpp"

#include <chrono>

#include "ambit/sdk/error.hpp"
#include "audit/audit_query.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {

AuditLog::AuditLog(sdk::Database& db, sdk::Logger& log, AuditConfig config)
    : db_(db), log_(log), config_(std::move(config)), writer_(db), sinks_(log) {}

AuditLog::~AuditLog() { stop(); }

void AuditLog::record(sdk::AuditRecord r, const AuditFields& fields, AuditCommitted on_commit) {
  if (r.id.empty()) r.id = new_time_ordered_id(r.at);
  // Strict mode never drops: its caller waits for the commit.
  if (config_.on_overflow == AuditConfig::Overflow::drop && !on_commit && !has_room()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  AuditRow row = AuditRow::from(r, fields);
  row.on_commit = std::move(on_commit);
  enqueue(std::move(row));
}

void AuditLog::after_queued(AuditCommitted on_commit) {
  AuditRow barrier;
  barrier.barrier = true;
  barrier.on_commit = std::move(on_commit);
  enqueue(std::move(barrier));
}

void AuditLog::enqueue(AuditRow row) {
  bool urgent = static_cast<bool>(row.on_commit);
  if (!row.barrier) queued_.fetch_add(1, std::memory_order_relaxed);
  auto& queue = local_queue();
  {
    std::lock_guard lock(queue.mu);
    queue.rows.push_back(std::move(row));
  }
  if (urgent) wake_writer();  // strict: commit as soon as possible (group commit)
}

AuditLog::ThreadQueue& AuditLog::local_queue() {
  thread_local std::vector<std::pair<std::uint64_t, std::shared_ptr<ThreadQueue>>> mine;
  for (auto& [owner, queue] : mine)
    if (owner == instance_) return *queue;
  auto queue = std::make_shared<ThreadQueue>();
  {
    std::lock_guard lock(queues_mu_);
    queues_.push_back(queue);
  }
  mine.emplace_back(instance_, queue);
  return *queue;
}

void AuditLog::wake_writer() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  writer_cv_.notify_one();
}

bool AuditLog::wait_for_room() {
  if (has_room()) return true;
  wake_writer();
  std::unique_lock lock(mu_);
  return room_cv_.wait_for(lock, config_.overflow_timeout, [this] { return has_room() || stopping_; }) && has_room();
}

void AuditLog::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  sinks_.start();
  thread_ = std::thread([this] { loop(); });
}

void AuditLog::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  writer_cv_.notify_all();
  room_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush();
  sinks_.stop();
}

void AuditLog::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    writer_cv_.wait_for(lock, config_.flush_interval, [this] { return stopping_ || wake_; });
    wake_ = false;
    lock.unlock();
    flush();
    lock.lock();
  }
}

void AuditLog::flush() {
  std::lock_guard writer(flush_mu_);
  std::vector<AuditRow> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(retry_);  // rows of a failed write go first
  }
  {
    std::lock_guard lock(queues_mu_);
    for (auto& queue : queues_) {
      std::lock_guard q(queue->mu);
      if (queue->rows.empty()) continue;
      if (batch.empty()) {
        batch.swap(queue->rows);
        queue->rows.reserve(batch.capacity());  // no regrowth on the request path
      } else {
        batch.insert(batch.end(), std::make_move_iterator(queue->rows.begin()),
                     std::make_move_iterator(queue->rows.end()));
        queue->rows.clear();
      }
    }
  }
  if (batch.empty()) return;
  auto started = std::chrono::steady_clock::now();
  bool committed = true;
  try {
    writer_.write(batch);
  } catch (const std::exception& e) {
    committed = false;
    flush_failures_.fetch_add(1, std::memory_order_relaxed);
    log_.error("audit write failed; will retry", {{"rows", batch.size()}, {"error", e.what()}});
  }
  write_ns_.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count(),
      std::memory_order_relaxed);
  settle(batch, committed);
}

// After a write: answer strict-mode callers, count, hand rows to the sinks,
// or keep them for the next attempt.
void AuditLog::settle(std::vector<AuditRow>& batch, bool committed) {
  std::size_t rows = 0;
  for (auto& row : batch) {
    if (!row.barrier) ++rows;
    if (row.on_commit) {
      auto callback = std::move(row.on_commit);
      row.on_commit = nullptr;
      if (!committed && !row.barrier) row.status = 503;  // what its caller is answered now
      callback(committed);
    }
  }
  if (committed) {
    written_.fetch_add(rows, std::memory_order_relaxed);
    queued_.fetch_sub(rows, std::memory_order_relaxed);
    { std::lock_guard lock(mu_); }  // a waiter is either before its check or asleep: no lost wakeup
    room_cv_.notify_all();
    if (!sinks_.empty()) {
      boost::json::array copies;
      copies.reserve(rows);
      for (auto& row : batch)
        if (!row.barrier) copies.push_back(row.to_json());
      sinks_.deliver(std::move(copies));
    }
    return;
  }
  std::erase_if(batch, [](const AuditRow& row) { return row.barrier; });
  std::lock_guard lock(mu_);
  retry_.swap(batch);
}

sdk::AuditListing AuditLog::list(const sdk::AuditQuery& q, const boost::json::object& more) {
  AuditSearch search;
  search.query = q;
  for (auto& [name, value] : more) {
    if (name == "route" && value.is_string()) {
      search.route = std::string(value.as_string());
    } else {
      throw sdk::ApiError::invalid_input("unknown audit filter \"" + std::string(name) + "\"", std::string(name));
    }
  }
  auto page = search_audit(db_, search);
  sdk::AuditListing out;
  out.rows.reserve(page.rows.size());
  for (auto& row : page.rows) out.rows.push_back(row.to_json());
  out.next_cursor = std::move(page.next_cursor);
  return out;
}

sdk::AuditToolPage AuditLog::query_with_tools(const sdk::AuditQuery& q) {
  AuditSearch search;
  search.query = q;
  auto page = search_audit(db_, search);
  sdk::AuditToolPage out;
  for (auto& row : page.rows) {
    auto c = row.columns();
    sdk::AuditRecord r;
    r.id = c[kId];
    r.at = row.at;
    r.tenant_id = c[kTenant];
    r.user_id = c[kUser];
    r.credential_type = c[kCredentialType];
    r.credential_id = c[kCredentialId];
    r.method = c[kMethod];
    r.route = c[kRoute];
    r.status = row.status;
    r.request_id = c[kRequestId];
    r.legacy_mode = row.legacy;
    out.page.records.push_back(std::move(r));
    out.tools.emplace_back(c[kTool]);
  }
  out.page.next_cursor = std::move(page.next_cursor);
  return out;
}

}  // namespace ambit::kernel
