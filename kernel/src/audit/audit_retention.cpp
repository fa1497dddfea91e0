#include "audit/audit_retention.hpp"

#include <soci/soci.h>

#include "ambit/sdk/time.hpp"
#include "audit/audit_partitions.hpp"
#include "jobs/job_queue.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {

constexpr std::size_t kPartitionPrefix = std::char_traits<char>::length("ambit_audit_p");

/// The day of a partition named ambit_audit_pYYYYMMDD; nullopt for another name.
std::optional<std::int64_t> partition_day(const std::string& name) {
  if (name.size() != kPartitionPrefix + 8) return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(name.c_str() + kPartitionPrefix, "%4d%2u%2u", &y, &m, &d) != 3) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

/// PostgreSQL: the partitions whose whole day is before `cutoff`, oldest first.
std::vector<std::string> expired_partitions(soci::session& s, std::int64_t cutoff) {
  std::vector<std::string> names(1000);
  std::vector<std::string> out;
  soci::statement st = (s.prepare << "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                     " WHERE i.inhparent = 'ambit_audit'::regclass ORDER BY c.relname",
                        soci::into(names));
  st.execute();
  while (st.fetch()) {
    for (auto& name : names) {
      auto day = partition_day(name);
      if (day && (*day + 1) * kAuditDayMs <= cutoff) out.push_back(name);
    }
    names.resize(1000);
  }
  return out;
}

/// SQLite: the first tenant with audit rows after `after` ("" = the first).
std::optional<std::string> next_tenant(soci::session& s, const std::string& after) {
  std::string tenant;
  soci::indicator ind = soci::i_null;
  s << "SELECT MIN(tenant_id) FROM ambit_audit WHERE tenant_id > :t", soci::use(after), soci::into(tenant, ind);
  if (ind == soci::i_null) return std::nullopt;
  return tenant;
}

}  // namespace

AuditRetention::AuditRetention(sdk::Database& db, sdk::Logger& log, const sdk::Clock& clock, const AuditConfig& config)
    : db_(db), log_(log), clock_(clock), config_(config) {}

AuditRetention::~AuditRetention() { stop(); }

std::int64_t AuditRetention::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
}

std::optional<std::int64_t> AuditRetention::cutoff() const {
  if (config_.retention_days <= 0) return std::nullopt;
  return now_ms() - std::int64_t{config_.retention_days} * kAuditDayMs;
}

boost::json::object AuditRetention::plan() {
  boost::json::object out{{"retention_days", config_.retention_days}};
  auto cut = cutoff();
  if (!cut) {
    out["rows"] = 0;
    return out;
  }
  out["cutoff"] = sdk::format_time(*cut);
  long long total = 0;
  auto s = db_.session();
  if (db_.dialect() == sdk::Dialect::postgresql) {
    boost::json::array partitions;
    for (auto& name : expired_partitions(*s, *cut)) {
      long long rows = 0;
      *s << "SELECT COUNT(*) FROM " << name, soci::into(rows);
      partitions.push_back({{"name", name}, {"rows", rows}});
      total += rows;
    }
    out["partitions"] = std::move(partitions);
  } else {
    std::string floor = time_ordered_id_floor(*cut);
    for (auto tenant = next_tenant(*s, ""); tenant; tenant = next_tenant(*s, *tenant)) {
      long long rows = 0;
      *s << "SELECT COUNT(*) FROM ambit_audit WHERE tenant_id = :t AND id < :cut", soci::use(*tenant),
          soci::use(floor), soci::into(rows);
      total += rows;
    }
  }
  out["rows"] = total;
  return out;
}

AuditRetention::Step AuditRetention::step(soci::session& tx, const std::string& tenant) {
  Step out;
  auto cut = cutoff();
  if (!cut) return out;
  if (db_.dialect() == sdk::Dialect::postgresql) {
    // A drop waits for the writer's COPY at most this long, then the job retries.
    tx << "SET LOCAL lock_timeout = '5s'";
    auto expired = expired_partitions(tx, *cut);
    if (expired.empty()) {
      auto today = audit_day(now_ms());
      for (auto day = today; day <= today + 2; ++day) ensure_audit_partition(db_, tx, day);
      return out;
    }
    tx << "SELECT COUNT(*) FROM " << expired.front(), soci::into(out.removed);
    tx << "DROP TABLE " << expired.front();
    out.dropped = expired.front();
    out.more = true;
    return out;
  }
  // SQLite: at most kBatch rows of one tenant per step; skip a few tenants
  // with nothing expired in the same step.
  std::string floor = time_ordered_id_floor(*cut);
  auto current = tenant.empty() ? next_tenant(tx, "") : std::optional<std::string>(tenant);
  for (int skipped = 0; current && skipped < 50; ++skipped) {
    soci::statement del = (tx.prepare << "DELETE FROM ambit_audit WHERE tenant_id = :t AND id IN (SELECT id FROM"
                                         " ambit_audit WHERE tenant_id = :t2 AND id < :cut ORDER BY id LIMIT "
                                      << kBatch << ")",
                           soci::use(*current), soci::use(*current), soci::use(floor));
    del.execute(true);
    out.removed = del.get_affected_rows();
    if (out.removed >= kBatch) {
      out.more = true;
      out.next_tenant = *current;
      return out;
    }
    current = next_tenant(tx, *current);
    if (out.removed > 0) break;
  }
  if (current) {
    out.more = true;
    out.next_tenant = *current;
  }
  return out;
}

long long AuditRetention::prune_all() {
  long long removed = 0;
  Step last;
  do {
    std::string tenant = last.next_tenant;
    db_.transaction([&](soci::session& tx) { last = step(tx, tenant); });
    removed += last.removed;
  } while (last.more);
  return removed;
}

void AuditRetention::schedule(JobQueue& jobs) {
  jobs.add_handler(kJobKind, [this, &jobs](const sdk::Job& job, soci::session& tx) {
    std::string tenant;
    if (auto* t = job.payload.is_object() ? job.payload.as_object().if_contains("tenant") : nullptr; t && t->is_string())
      tenant = std::string(t->as_string());
    auto done = step(tx, tenant);
    if (!done.dropped.empty())
      log_.info("audit partition dropped", {{"partition", done.dropped}, {"rows", done.removed}});
    if (done.more)
    {
      sdk::JobSpec next;
      next.kind = kJobKind;
      next.payload = {{"tenant", done.next_tenant}};
      next.idempotency_key = job.id + "+";
      jobs.enqueue(tx, next);
    }
  });
  if (!cutoff()) return;
  timer_ = std::thread([this, &jobs] {
    std::unique_lock lock(mu_);
    // A process prunes once when it starts (a deployment that restarts more
    // often than the interval still prunes), then once per interval across
    // every process.
    std::string key = "audit-prune-start-" + new_request_id();
    while (!stopping_) {
      lock.unlock();
      try {
        enqueue_run(jobs, key);
        key.clear();
      } catch (const std::exception& e) {
        log_.warn("audit prune could not be scheduled; will try again", {{"error", e.what()}});
      }
      lock.lock();
      cv_.wait_for(lock, config_.prune_interval, [this] { return stopping_; });
    }
  });
}

void AuditRetention::enqueue_run(JobQueue& jobs, std::string key) {
  auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(config_.prune_interval).count();
  if (key.empty()) key = "audit-prune-" + std::to_string(now_ms() / interval);
  db_.transaction([&](soci::session& tx) {
    sdk::JobSpec run;
    run.kind = kJobKind;
    run.payload = {{"tenant", ""}};
    run.idempotency_key = key;
    jobs.enqueue(tx, run);
  });
}

void AuditRetention::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

}  // namespace ambit::kernel
