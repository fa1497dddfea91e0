#include "jobs/job_queue.hpp"

#include <soci/soci.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "util/ids.hpp"

namespace ambit::kernel {
namespace {

constexpr const char* kWakeTopic = "ambit.jobs";

std::string status_filter_sql() {
  return "((status = 'queued' AND run_at <= :now) OR (status = 'running' AND lease_until < :now2))";
}

}  // namespace

JobQueue::JobQueue(SociDatabase& db, EventBus& events, const sdk::Clock& clock, sdk::Logger& log, JobsConfig config)
    : db_(db), events_(events), clock_(clock), log_(log), config_(config) {
  char host[128] = {0};
  ::gethostname(host, sizeof(host) - 1);
  owner_ = std::string(host) + ":" + std::to_string(::getpid()) + ":" + new_request_id().substr(0, 8);
  events_.subscribe(kWakeTopic, [this](std::string_view, std::string_view) {
    std::lock_guard lock(wake_mu_);
    wake_pending_ = true;
    wake_.notify_one();
  });
}

JobQueue::~JobQueue() { stop(); }

void JobQueue::add_handler(const std::string& kind, sdk::JobHandler handler) {
  static const std::regex valid("[a-z0-9][a-z0-9._-]{0,99}");
  if (!std::regex_match(kind, valid))
    throw std::invalid_argument("job kind \"" + kind + "\" must match [a-z0-9][a-z0-9._-]*");
  if (!handlers_.emplace(kind, std::move(handler)).second)
    throw std::invalid_argument("job kind \"" + kind + "\" is registered twice");
  kinds_sql_.clear();
  for (auto& [k, h] : handlers_) kinds_sql_ += (kinds_sql_.empty() ? "'" : ",'") + k + "'";
}

sdk::EnqueueResult JobQueue::enqueue(soci::session& tx, const sdk::JobSpec& spec) {
  if (spec.kind.empty()) throw std::invalid_argument("job kind is empty");
  std::string id = spec.id.empty() ? new_uuid() : spec.id;
  std::string payload = boost::json::serialize(spec.payload);
  std::int64_t now = clock_.now_ms();
  std::int64_t run_at = now + spec.delay.count();
  int max_attempts = std::max(1, spec.max_attempts);
  soci::indicator key_ind = spec.idempotency_key.empty() ? soci::i_null : soci::i_ok;
  sdk::EnqueueResult result;
  soci::statement st = (tx.prepare << "INSERT INTO ambit_jobs (id, kind, payload, idempotency_key, status, attempts,"
                                      " max_attempts, run_at, created_at, updated_at)"
                                      " VALUES (:id, :kind, :payload, :key, 'queued', 0, :max, :run_at, :c, :u)"
                                      " ON CONFLICT DO NOTHING",
                        soci::use(id), soci::use(spec.kind), soci::use(payload),
                        soci::use(spec.idempotency_key, key_ind), soci::use(max_attempts), soci::use(run_at),
                        soci::use(now), soci::use(now));
  st.execute(true);
  if (st.get_affected_rows() == 1) {
    result = {id, true};
    events_.publish(tx, kWakeTopic, "");
  } else if (!spec.idempotency_key.empty()) {
    std::string existing;
    tx << "SELECT id FROM ambit_jobs WHERE kind = :k AND idempotency_key = :i", soci::use(spec.kind),
        soci::use(spec.idempotency_key), soci::into(existing);
    if (!tx.got_data()) throw std::runtime_error("job id \"" + id + "\" already exists");
    result = {existing, false};
  } else {
    result = {id, false};  // the caller-chosen id already exists: the same job
  }
  return result;
}

std::optional<sdk::JobInfo> JobQueue::find(const std::string& job_id) {
  auto s = db_.session();
  return find_in(*s, job_id);
}

std::optional<sdk::JobInfo> JobQueue::find_in(soci::session& s, const std::string& job_id) {
  sdk::JobInfo info;
  soci::indicator err_ind = soci::i_null;
  s << "SELECT id, kind, status, attempts, last_error, created_at, updated_at FROM ambit_jobs WHERE id = :id",
      soci::use(job_id), soci::into(info.id), soci::into(info.kind), soci::into(info.status), soci::into(info.attempts),
      soci::into(info.last_error, err_ind), soci::into(info.created_at), soci::into(info.updated_at);
  if (!s.got_data()) return std::nullopt;
  if (err_ind == soci::i_null) info.last_error.clear();
  return info;
}

std::optional<JobQueue::Claimed> JobQueue::claim() {
  if (handlers_.empty()) return std::nullopt;
  std::optional<Claimed> claimed;
  const bool pg = db_.dialect() == sdk::Dialect::postgresql;
  std::string sql =
      "UPDATE ambit_jobs SET status = 'running', lease_owner = :owner, lease_until = :lease, attempts = attempts + 1,"
      " updated_at = :upd WHERE id = (SELECT id FROM ambit_jobs WHERE " + status_filter_sql() +
      " AND kind IN (" + kinds_sql_ + ") ORDER BY run_at LIMIT 1" + (pg ? " FOR UPDATE SKIP LOCKED" : "") +
      ") RETURNING id, kind, payload, attempts, max_attempts";
  db_.transaction([&](soci::session& tx) {
    claimed.reset();
    std::int64_t now = clock_.now_ms();
    std::int64_t lease = now + config_.lease.count();
    Claimed c;
    tx << sql, soci::use(owner_), soci::use(lease), soci::use(now), soci::use(now), soci::use(now), soci::into(c.id),
        soci::into(c.kind), soci::into(c.payload), soci::into(c.attempts), soci::into(c.max_attempts);
    if (tx.got_data()) claimed = std::move(c);
  });
  return claimed;
}

void JobQueue::execute(const Claimed& job) {
  auto handler = handlers_.at(job.kind);
  if (job.attempts > job.max_attempts) {
    // A process died holding this job on its last attempt.
    record_failure(job, "lease expired on the last attempt");
    return;
  }
  sdk::Job j;
  j.id = job.id;
  j.kind = job.kind;
  j.attempt = job.attempts;
  boost::system::error_code ec;
  j.payload = boost::json::parse(job.payload, ec);
  stats_.running++;
  try {
    db_.transaction([&](soci::session& tx) {
      handler(j, tx);
      std::int64_t now = clock_.now_ms();
      soci::statement st = (tx.prepare << "UPDATE ambit_jobs SET status = 'done', lease_owner = NULL,"
                                          " lease_until = NULL, last_error = NULL, updated_at = :now"
                                          " WHERE id = :id AND lease_owner = :owner AND status = 'running'",
                            soci::use(now), soci::use(job.id), soci::use(owner_));
      st.execute(true);
      // Lost the lease (we ran past it and another process took the job):
      // roll back our effects; the other run's are the ones that count.
      if (st.get_affected_rows() != 1) throw std::runtime_error("job lease lost");
    });
    stats_.succeeded++;
  } catch (const std::exception& e) {
    stats_.failed++;
    record_failure(job, e.what());
  }
  stats_.running--;
}

void JobQueue::record_failure(const Claimed& job, const std::string& error) {
  bool dead = job.attempts >= job.max_attempts;
  std::int64_t now = clock_.now_ms();
  std::int64_t backoff = config_.backoff_base.count() << std::min(job.attempts - 1, 12);
  backoff = std::min<std::int64_t>(backoff, 3600 * 1000);
  std::int64_t run_at = now + backoff;
  std::string status = dead ? "dead" : "queued";
  std::string message = error.substr(0, 2000);
  try {
    db_.transaction([&](soci::session& tx) {
      tx << "UPDATE ambit_jobs SET status = :s, run_at = :r, last_error = :e, lease_owner = NULL,"
            " lease_until = NULL, updated_at = :now WHERE id = :id AND lease_owner = :owner",
          soci::use(status), soci::use(run_at), soci::use(message), soci::use(now), soci::use(job.id),
          soci::use(owner_);
    });
  } catch (const std::exception& e) {
    log_.error("cannot record job failure", {{"job_id", job.id}, {"error", e.what()}});
  }
  if (dead) stats_.dead++;
  log_.warn(dead ? "job dead" : "job failed; will retry",
            {{"job_id", job.id}, {"kind", job.kind}, {"attempt", job.attempts}, {"error", message}});
}

bool JobQueue::run_one() {
  auto job = claim();
  if (!job) return false;
  execute(*job);
  return true;
}

void JobQueue::runner_loop() {
  while (!stopping_) {
    bool worked = false;
    try {
      worked = run_one();
    } catch (const std::exception& e) {
      log_.error("job runner error", {{"error", e.what()}});
    }
    if (worked) continue;
    std::unique_lock lock(wake_mu_);
    wake_.wait_for(lock, config_.poll_interval, [this] { return wake_pending_ || stopping_.load(); });
    wake_pending_ = false;
  }
}

int JobQueue::requeue_orphaned_jobs() {
  int requeued = 0;
  db_.transaction([&](soci::session& tx) {
    std::int64_t now = clock_.now_ms();
    soci::statement st = (tx.prepare << "UPDATE ambit_jobs SET status = 'queued', lease_owner = NULL,"
                                        " lease_until = NULL, updated_at = :now WHERE status = 'running'",
                          soci::use(now));
    st.execute(true);
    requeued = static_cast<int>(st.get_affected_rows());
  });
  return requeued;
}

int JobQueue::renew_leases() {
  try {
    if (!heartbeat_session_ || !connection_alive(*heartbeat_session_)) heartbeat_session_ = open_session(db_.target());
    std::int64_t lease = clock_.now_ms() + config_.lease.count();
    soci::statement st = (heartbeat_session_->prepare << "UPDATE ambit_jobs SET lease_until = :lease"
                                                         " WHERE lease_owner = :owner AND status = 'running'",
                          soci::use(lease), soci::use(owner_));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    heartbeat_session_.reset();  // reopened on the next beat
    log_.warn("cannot renew job leases", {{"error", e.what()}});
    return 0;
  }
}

void JobQueue::heartbeat_loop() {
  const auto every = std::max(config_.lease / 3, std::chrono::milliseconds(10));
  std::unique_lock lock(heartbeat_mu_);
  while (!heartbeat_cv_.wait_for(lock, every, [this] { return heartbeat_stop_; })) {
    if (stats_.running.load() == 0) continue;  // nothing to renew
    lock.unlock();
    renew_leases();
    lock.lock();
  }
}

void JobQueue::start() {
  if (!config_.enabled || !runners_.empty()) return;
  if (db_.dialect() == sdk::Dialect::sqlite) {
    if (int n = requeue_orphaned_jobs())
      log_.warn("requeued jobs a previous process left running", {{"jobs", n}});
  }
  stopping_ = false;
  for (int i = 0; i < config_.workers; ++i) runners_.emplace_back([this] { runner_loop(); });
  // On SQLite a running job holds the write lock, so no other runner can take it over:
  // only PostgreSQL needs its leases renewed.
  if (db_.dialect() == sdk::Dialect::postgresql) {
    heartbeat_stop_ = false;
    heartbeat_ = std::thread([this] { heartbeat_loop(); });
  }
}

void JobQueue::stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : runners_) t.join();
  runners_.clear();
  {
    std::lock_guard lock(heartbeat_mu_);  // after the runners: running jobs keep their leases to the end
    heartbeat_stop_ = true;
  }
  heartbeat_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  heartbeat_session_.reset();
}

}  // namespace ambit::kernel
