#include "audit/audit_log.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <limits>

#include "ambit/sdk/error.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {
constexpr std::size_t kMaxQueued = 100000;  // beyond this the database is down: drop and count
}

AuditLog::AuditLog(sdk::Database& db, sdk::Logger& log, std::chrono::milliseconds flush_interval)
    : db_(db), log_(log), interval_(flush_interval) {}

AuditLog::~AuditLog() { stop(); }

void AuditLog::record(sdk::AuditRecord r) {
  if (r.id.empty()) r.id = new_time_ordered_id(r.at);
  std::lock_guard lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    dropped_++;
    return;
  }
  queue_.push_back(std::move(r));
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
  std::vector<sdk::AuditRecord> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
    // The next batch is likely as large: no regrowth (and moves) under the lock.
    queue_.reserve(std::min(batch.size(), kMaxQueued));
  }
  if (batch.empty()) return;
  // One prepared statement, bound to the whole batch (bulk binding).
  std::vector<std::string> id, tenant, user, ctype, cid, method, route, request;
  std::vector<long long> at;
  std::vector<int> status, legacy;
  std::vector<soci::indicator> user_ind;
  for (auto& r : batch) {
    user_ind.push_back(r.user_id.empty() ? soci::i_null : soci::i_ok);
    id.push_back(std::move(r.id));
    at.push_back(r.at);
    tenant.push_back(std::move(r.tenant_id));
    user.push_back(std::move(r.user_id));
    ctype.push_back(std::move(r.credential_type));
    cid.push_back(std::move(r.credential_id));
    method.push_back(std::move(r.method));
    route.push_back(std::move(r.route));
    status.push_back(r.status);
    request.push_back(std::move(r.request_id));
    legacy.push_back(r.legacy_mode ? 1 : 0);
  }
  // On failure the rows are rebuilt from the columns and queued again.
  auto restore = [&] {
    for (std::size_t i = 0; i < batch.size(); ++i)
      batch[i] = sdk::AuditRecord{std::move(id[i]), at[i], std::move(tenant[i]), std::move(user[i]),
                                  std::move(ctype[i]), std::move(cid[i]), std::move(method[i]),
                                  std::move(route[i]), status[i], std::move(request[i]), legacy[i] != 0};
  };
  try {
    db_.transaction([&](soci::session& tx) {
      tx << "INSERT INTO ambit_audit (id, at, tenant_id, user_id, credential_type, credential_id, method, route,"
            " status, request_id, legacy_mode) VALUES (:i, :a, :t, :u, :ct, :ci, :m, :r, :s, :q, :l)",
          soci::use(id), soci::use(at), soci::use(tenant), soci::use(user, user_ind), soci::use(ctype),
          soci::use(cid), soci::use(method), soci::use(route), soci::use(status), soci::use(request),
          soci::use(legacy);
    });
    written_ += batch.size();
  } catch (const std::exception& e) {
    restore();
    // Keep the rows for the next attempt (ahead of newer ones).
    log_.error("audit flush failed; will retry", {{"rows", batch.size()}, {"error", e.what()}});
    std::lock_guard lock(mu_);
    if (queue_.size() + batch.size() > kMaxQueued) {
      dropped_ += batch.size();
      return;
    }
    batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.swap(batch);
  }
}

sdk::AuditPage AuditLog::query(const sdk::AuditQuery& q) {
  // Cursor "<at>.<id>" of the last row seen; rows are ordered (at, id) descending.
  std::int64_t cursor_at = 0;
  std::string cursor_id;
  if (!q.cursor.empty()) {
    auto dot = q.cursor.find('.');
    try {
      if (dot == std::string::npos) throw std::invalid_argument("cursor");
      std::size_t used = 0;
      cursor_at = std::stoll(q.cursor.substr(0, dot), &used);
      if (used != dot) throw std::invalid_argument("cursor");
      cursor_id = q.cursor.substr(dot + 1);
      if (cursor_id.empty()) throw std::invalid_argument("cursor");
    } catch (const std::exception&) {
      throw sdk::ApiError::invalid_input("cursor is not one this API returned", "cursor");
    }
  }
  // Fixed binds with neutral values keep one statement text for every filter mix.
  std::int64_t since = q.since.value_or(std::numeric_limits<std::int64_t>::min());
  std::int64_t until = q.until.value_or(std::numeric_limits<std::int64_t>::max());
  if (q.cursor.empty()) cursor_at = std::numeric_limits<std::int64_t>::max();
  int status = q.status.value_or(0);
  int limit = std::clamp(q.limit, 1, 500);
  auto s = db_.session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,"
                     " request_id, legacy_mode FROM ambit_audit WHERE tenant_id = :tenant AND at >= :since"
                     " AND at < :until AND (:cred = '' OR credential_id = :cred2) AND (:usr = '' OR user_id = :usr2)"
                     " AND (:st = 0 OR status = :st2) AND (at < :cat OR (at = :cat2 AND id < :cid))"
                     " ORDER BY at DESC, id DESC LIMIT " + std::to_string(limit + 1),
       soci::use(q.tenant_id), soci::use(since), soci::use(until), soci::use(q.credential_id),
       soci::use(q.credential_id), soci::use(q.user_id), soci::use(q.user_id), soci::use(status), soci::use(status),
       soci::use(cursor_at), soci::use(cursor_at), soci::use(cursor_id));
  sdk::AuditPage page;
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
  }
  if (static_cast<int>(page.records.size()) > limit) {
    page.records.pop_back();
    auto& last = page.records.back();
    page.next_cursor = std::to_string(last.at) + "." + last.id;
  }
  return page;
}

}  // namespace ambit::kernel
