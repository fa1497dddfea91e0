#include "audit/audit_log.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <limits>

#include "ambit/sdk/error.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {
constexpr std::size_t kMaxQueued = 100000;  // beyond this the database is down: drop and count
constexpr char kFieldSeparator = '\x1f';     // ASCII unit separator: never in ids, routes or methods
}

AuditLog::AuditLog(sdk::Database& db, sdk::Logger& log, std::chrono::milliseconds flush_interval)
    : db_(db), log_(log), interval_(flush_interval) {}

AuditLog::~AuditLog() { stop(); }

// A queued row keeps its text fields in one buffer: one allocation per row,
// and the request's own strings are freed on the request's thread (freeing
// another thread's allocations contends on the allocator).
void AuditLog::record(sdk::AuditRecord r, std::string_view tool) {
  if (r.id.empty()) r.id = new_time_ordered_id(r.at);
  QueuedRow row{{}, r.at, r.status, r.legacy_mode};
  const std::string_view fields[] = {r.id, r.tenant_id, r.user_id, r.credential_type, r.credential_id,
                                     r.method, r.route, r.request_id, tool};
  std::size_t size = 0;
  for (auto f : fields) size += f.size() + 1;
  row.text.reserve(size);
  for (auto f : fields) {
    row.text += f;
    row.text += kFieldSeparator;
  }
  if (queued_.load(std::memory_order_relaxed) >= kMaxQueued) {
    dropped_++;
    return;
  }
  auto& queue = local_queue();
  {
    std::lock_guard lock(queue.mu);
    queue.rows.push_back(std::move(row));
  }
  queued_.fetch_add(1, std::memory_order_relaxed);
}

AuditLog::ThreadQueue& AuditLog::local_queue() {
  // Keyed by instance id: tests create several AuditLogs on one thread.
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

void AuditLog::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void AuditLog::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush();
}

void AuditLog::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    flush();
    lock.lock();
  }
}

void AuditLog::flush() {
  std::lock_guard writer(flush_mu_);
  std::vector<QueuedRow> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(retry_);  // rows of a failed flush go first
  }
  {
    std::lock_guard lock(queues_mu_);
    for (auto& queue : queues_) {
      std::lock_guard q(queue->mu);
      batch.insert(batch.end(), std::make_move_iterator(queue->rows.begin()), std::make_move_iterator(queue->rows.end()));
      queue->rows.clear();  // keeps its capacity: no regrowth on the request path
    }
  }
  queued_.fetch_sub(batch.size(), std::memory_order_relaxed);
  if (batch.empty()) return;
  // Columns for one prepared statement bound to the whole batch (bulk binding).
  constexpr std::size_t kFields = 9;
  std::vector<std::string> columns[kFields];
  std::vector<long long> at;
  std::vector<int> status, legacy;
  std::vector<soci::indicator> user_ind, tool_ind;
  for (auto& row : batch) {
    std::string_view rest = row.text;
    for (std::size_t f = 0; f < kFields; ++f) {
      auto end = rest.find(kFieldSeparator);
      columns[f].emplace_back(rest.substr(0, end));
      rest.remove_prefix(end + 1);
    }
    user_ind.push_back(columns[2].back().empty() ? soci::i_null : soci::i_ok);
    tool_ind.push_back(columns[8].back().empty() ? soci::i_null : soci::i_ok);
    at.push_back(row.at);
    status.push_back(row.status);
    legacy.push_back(row.legacy ? 1 : 0);
  }
  try {
    db_.transaction([&](soci::session& tx) {
      tx << "INSERT INTO ambit_audit (id, tenant_id, user_id, credential_type, credential_id, method, route,"
            " request_id, tool, at, status, legacy_mode) VALUES (:i, :t, :u, :ct, :ci, :m, :r, :q, :tool, :a, :s, :l)",
          soci::use(columns[0]), soci::use(columns[1]), soci::use(columns[2], user_ind), soci::use(columns[3]),
          soci::use(columns[4]), soci::use(columns[5]), soci::use(columns[6]), soci::use(columns[7]),
          soci::use(columns[8], tool_ind), soci::use(at), soci::use(status), soci::use(legacy);
    });
    written_ += batch.size();
  } catch (const std::exception& e) {
    // Keep the rows for the next attempt (ahead of newer ones).
    log_.error("audit flush failed; will retry", {{"rows", batch.size()}, {"error", e.what()}});
    if (queued_.load() + batch.size() > kMaxQueued) {
      dropped_ += batch.size();
      return;
    }
    queued_.fetch_add(batch.size());
    std::lock_guard lock(mu_);
    retry_.swap(batch);
  }
}

sdk::AuditToolPage AuditLog::query_with_tools(const sdk::AuditQuery& q) {
  // Ids sort by time (util/ids.hpp), so "newest first" is id order and the
  // cursor is simply the last id seen.
  const std::string& cursor_id = q.cursor;
  if (!cursor_id.empty() && (cursor_id.size() != 30 || cursor_id[12] != '-' || cursor_id[21] != '-'))
    throw sdk::ApiError::invalid_input("cursor is not one this API returned", "cursor");
  // Fixed binds with neutral values keep one statement text for every filter mix.
  std::int64_t since = q.since.value_or(std::numeric_limits<std::int64_t>::min());
  std::int64_t until = q.until.value_or(std::numeric_limits<std::int64_t>::max());
  int status = q.status.value_or(0);
  int limit = std::clamp(q.limit, 1, 500);
  auto s = db_.session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,"
                     " request_id, legacy_mode, tool FROM ambit_audit WHERE tenant_id = :tenant AND at >= :since"
                     " AND at < :until AND (:cred = '' OR credential_id = :cred2) AND (:usr = '' OR user_id = :usr2)"
                     " AND (:st = 0 OR status = :st2) AND (:cur = '' OR id < :cur2)"
                     " ORDER BY id DESC LIMIT " + std::to_string(limit + 1),
       soci::use(q.tenant_id), soci::use(since), soci::use(until), soci::use(q.credential_id),
       soci::use(q.credential_id), soci::use(q.user_id), soci::use(q.user_id), soci::use(status), soci::use(status),
       soci::use(cursor_id), soci::use(cursor_id));
  sdk::AuditToolPage out;
  sdk::AuditPage& page = out.page;
  for (auto& row : rows) {
    sdk::AuditRecord r;
    r.id = row.get<std::string>(0);
    r.at = row.get<long long>(1);
    r.tenant_id = row.get<std::string>(2);
    r.user_id = row.get_indicator(3) == soci::i_null ? "" : row.get<std::string>(3);
    r.credential_type = row.get<std::string>(4);
    r.credential_id = row.get<std::string>(5);
    r.method = row.get<std::string>(6);
    r.route = row.get<std::string>(7);
    r.status = row.get<int>(8);
    r.request_id = row.get<std::string>(9);
    r.legacy_mode = row.get<int>(10) != 0;
    page.records.push_back(std::move(r));
    out.tools.push_back(row.get_indicator(11) == soci::i_null ? "" : row.get<std::string>(11));
  }
  if (static_cast<int>(page.records.size()) > limit) {
    page.records.pop_back();
    out.tools.pop_back();
    auto& last = page.records.back();
    page.next_cursor = last.id;
  }
  return out;
}

}  // namespace ambit::kernel
