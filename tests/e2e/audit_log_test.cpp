// The audit log as its users rely on it, through the real binary on both
// databases: every answered request leaves one row with what the caller did;
// when the writer cannot keep up, requests wait and then answer 503 instead
// of losing rows (or drop them, when the operator chose so); strict mode
// answers only once the row is committed; expired rows go (prune command and
// the server's own job); the file sink copies rows and survives a failure.
#include <soci/soci.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// A Prometheus sample without labels from /metrics; -1 when absent.
double metric(std::uint16_t port, const std::string& name) {
  auto text = http(port, "GET", "/metrics").body;
  auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

/// Every row the writer has queued is committed.
bool drained(std::uint16_t port) {
  return eventually([&] { return metric(port, "ambit_audit_queued_rows") == 0; }, 30s);
}

/// Keeps the writer from committing while held: a write transaction on
/// SQLite, an ACCESS EXCLUSIVE lock on the table on PostgreSQL.
class AuditTableLock {
 public:
  explicit AuditTableLock(const TestDatabase& db) : session_(db.session()) {
    if (db.backend() == Backend::sqlite) {
      // The server may be mid-write (a last-used flush): wait for it rather than fail at once.
      *session_ << "PRAGMA busy_timeout = 5000";
      *session_ << "BEGIN IMMEDIATE";
      *session_ << "DELETE FROM ambit_audit WHERE id = 'none'";  // takes the write lock now
    } else {
      *session_ << "BEGIN";
      *session_ << "LOCK TABLE ambit_audit IN ACCESS EXCLUSIVE MODE";
    }
  }
  ~AuditTableLock() { release(); }
  void release() {
    if (held_) *session_ << "ROLLBACK";
    held_ = false;
  }

 private:
  std::unique_ptr<soci::session> session_;
  bool held_ = true;
};

class AuditLog : public ::testing::TestWithParam<Backend> {
 protected:
  TempDir dir;
  TestDatabase db{GetParam(), dir};

  std::string config(json::object audit, json::object server = {}) {
    if (!server.contains("worker_threads")) server["worker_threads"] = 8;
    auto cfg = e2e_config(dir, db.url(), {json::object{{"name", "auth-apikey"}}}, server);
    cfg["audit"] = std::move(audit);
    return write_config(dir, cfg);
  }
  long long count(const std::string& where) {
    long long n = 0;
    *db.session() << "SELECT COUNT(*) FROM ambit_audit WHERE " + where, soci::into(n);
    return n;
  }
  static std::string credential_id(std::uint16_t port, const std::string& key) {
    return str(http(port, "GET", "/v1/me", bearer(key)).json().at("data").at("credential").at("id"));
  }
  /// Rows older than the default retention (90 days), as if written then.
  void insert_expired_rows(const std::string& tenant, int n) {
    auto at = std::chrono::duration_cast<std::chrono::milliseconds>(
                  (std::chrono::system_clock::now() - std::chrono::hours(24 * 100)).time_since_epoch())
                  .count();
    auto columns = std::string("id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,"
                               " request_id, legacy_mode");
    auto values = [&](const std::string& i, const std::string& id) {
      return id + ", " + std::to_string(at) + " + " + i + ", '" + tenant +
             "', NULL, 'api_key', 'key_expired', 'GET', '/v1/me', 200, 'old', 0";
    };
    if (GetParam() == Backend::sqlite) {
      db.exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(n - 1) +
              ") INSERT INTO ambit_audit (" + columns + ") SELECT " +
              values("i", "printf('%012x-00000000-%08x', " + std::to_string(at) + " + i, i)") + " FROM n");
      return;
    }
    // The day partition the server's writer would have made then (named by migration 0005's rule).
    std::int64_t day = at / 86'400'000;
    std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    char name[32];
    std::snprintf(name, sizeof name, "ambit_audit_p%04d%02u%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    expired_partition = name;
    db.exec("CREATE TABLE IF NOT EXISTS " + expired_partition + " PARTITION OF ambit_audit FOR VALUES FROM (" +
            std::to_string(day * 86'400'000) + ") TO (" + std::to_string((day + 1) * 86'400'000) + ")");
    db.exec("INSERT INTO ambit_audit (" + columns + ") SELECT " +
            values("i", "lpad(to_hex(" + std::to_string(at) + " + i), 12, '0') || '-00000000-' || lpad(to_hex(i), 8, '0')") +
            " FROM generate_series(0, " + std::to_string(n - 1) + ") i");
  }
  std::string expired_partition;
};

TEST_P(AuditLog, EachRowRecordsTheOperationClientAddressAndFiltersPageByKeyset) {
  auto file = config({}, {{"trusted_proxies", json::array{"127.0.0.1"}}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  auto key = bearer(owner.key);
  auto proxied = key;
  proxied.emplace_back("X-Forwarded-For", "203.0.113.9");
  for (int i = 0; i < 7; ++i) EXPECT_EQ(http(server.port(), "GET", "/v1/me", proxied).status, 200);
  EXPECT_EQ(http(server.port(), "GET", "/v1/api_keys/nope", key).status, 404);
  ASSERT_TRUE(drained(server.port()));

  auto me = http(server.port(), "GET", "/v1/audit?route=%2Fv1%2Fme&limit=500", key).json().at("data").as_array();
  ASSERT_EQ(me.size(), 7u);
  for (auto& row : me) {
    EXPECT_EQ(str(row.at("route")), "/v1/me");
    EXPECT_EQ(str(row.at("operation")), "me.get");
    EXPECT_EQ(str(row.at("client_ip")), "203.0.113.9");  // through server.trusted_proxies
    EXPECT_EQ(str(row.at("credential_type")), "api_key");
    EXPECT_TRUE(row.at("tool").is_null());
  }
  auto missing = http(server.port(), "GET", "/v1/audit?status=404", key).json().at("data").as_array();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(str(missing[0].at("client_ip")), "127.0.0.1");  // no X-Forwarded-For: the peer
  EXPECT_EQ(http(server.port(), "GET", "/v1/audit?route=%2Fv1%2Fsecrets", key).json().at("data").as_array().size(), 0u);

  // Pages of 3, newest first, each row once.
  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page = http(server.port(), "GET", "/v1/audit?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), key)
                    .json()
                    .as_object();
    for (auto& row : page.at("data").as_array()) ids.push_back(str(row.at("id")));
    cursor = page.at("next_cursor").is_string() ? str(page.at("next_cursor")) : "";
  } while (!cursor.empty() && ids.size() < 100);
  EXPECT_GE(ids.size(), 8u);  // 7 + the 404 (+ the reads of the log written by now)
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST_P(AuditLog, AFullQueueMakesRequestsWaitThenAnswer503AndLosesNoRow) {
  auto file = config({{"max_queued_rows", 3}, {"overflow_timeout_ms", 300}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  auto id = credential_id(server.port(), owner.key);
  ASSERT_TRUE(drained(server.port()));
  std::vector<int> statuses;
  {
    AuditTableLock lock(db);
    for (int i = 0; i < 6; ++i) {
      auto r = http(server.port(), "GET", "/v1/me", bearer(owner.key));
      statuses.push_back(r.status);
      if (r.status == 503) {
        EXPECT_EQ(error_code(r), "AUDIT_UNAVAILABLE");
        EXPECT_EQ(r.header("retry-after"), "1");
      }
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 503, 503, 503}));
  ASSERT_TRUE(drained(server.port()));
  EXPECT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);  // room again
  ASSERT_TRUE(drained(server.port()));
  EXPECT_EQ(count("credential_id = '" + id + "' AND status = 200"), 1 + 3 + 1);
  EXPECT_EQ(count("credential_id = '" + id + "' AND status = 503"), 0);
  EXPECT_EQ(metric(server.port(), "ambit_audit_requests_rejected_total"), 3);
  EXPECT_EQ(metric(server.port(), "ambit_audit_rows_dropped_total"), 0);
}

TEST_P(AuditLog, UnderConcurrentLoadEveryAnsweredRequestHasItsRow) {
  // A small queue makes back-pressure happen often; nothing may be lost.
  auto file = config({{"max_queued_rows", 50}, {"overflow_timeout_ms", 5000}, {"flush_interval_ms", 20}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  auto id = credential_id(server.port(), owner.key);
  std::atomic<int> ok{0}, rejected{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&] {
      HttpConnection c(server.port());
      for (int i = 0; i < 300; ++i) {
        int status = c.request("GET", "/v1/me", bearer(owner.key)).status;
        (status == 200 ? ok : status == 503 ? rejected : other)++;
      }
    });
  for (auto& t : clients) t.join();
  ASSERT_TRUE(drained(server.port()));
  EXPECT_EQ(other, 0);
  EXPECT_EQ(count("credential_id = '" + id + "'"), ok + 1);
  EXPECT_EQ(metric(server.port(), "ambit_audit_rows_dropped_total"), 0);
  EXPECT_EQ(metric(server.port(), "ambit_audit_requests_rejected_total"), rejected);
}

TEST_P(AuditLog, DropModeServesAndCountsTheRowsItCouldNotKeep) {
  auto file = config({{"max_queued_rows", 3}, {"on_overflow", "drop"}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  auto id = credential_id(server.port(), owner.key);
  ASSERT_TRUE(drained(server.port()));
  {
    AuditTableLock lock(db);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);
  }
  ASSERT_TRUE(drained(server.port()));
  EXPECT_EQ(count("credential_id = '" + id + "'"), 1 + 3);
  EXPECT_EQ(metric(server.port(), "ambit_audit_rows_dropped_total"), 3);
}

TEST_P(AuditLog, StrictModeAnswersAfterTheCommitAnd503WhenTheRowCannotBeCommitted) {
  auto file = config({{"mode", "strict"}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  auto id = credential_id(server.port(), owner.key);
  // Answered means committed: the row is there the moment the answer is.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);
    EXPECT_EQ(count("credential_id = '" + id + "'"), 2 + i);
  }
  {
    AuditTableLock lock(db);  // the writer fails (lock timeout, busy timeout): not a silent success
    auto r = http(server.port(), "GET", "/v1/me", bearer(owner.key));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(error_code(r), "AUDIT_UNAVAILABLE");
    EXPECT_FALSE(r.header("x-request-id").empty());
  }
  EXPECT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);
  // The failed request's row is kept and written later, with what its caller was told.
  EXPECT_TRUE(eventually([&] { return count("credential_id = '" + id + "' AND status = 503") == 1; }));
  EXPECT_EQ(count("credential_id = '" + id + "' AND status = 200"), 5);
}

TEST_P(AuditLog, PruneRemovesOnlyExpiredRowsAndTheServerPrunesByItself) {
  auto file = config({});
  auto owner = bootstrap_owner(file);
  {
    ServerProcess server(file);
    for (int i = 0; i < 3; ++i) http(server.port(), "GET", "/v1/me", bearer(owner.key));
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait(), 0);  // a graceful stop writes every queued row
  }
  const int expired = GetParam() == Backend::sqlite ? 4500 : 3000;  // several delete batches on SQLite
  insert_expired_rows(owner.tenant_id, expired);
  ASSERT_EQ(count("credential_id = 'key_expired'"), expired);

  auto dry = run_ambit({"audit", "prune", "--dry-run", "--config", file});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto plan = json::parse(dry.out).as_object();
  EXPECT_EQ(plan.at("rows").as_int64(), expired);
  EXPECT_EQ(plan.at("retention_days").as_int64(), 90);
  if (GetParam() == Backend::postgresql) {
    ASSERT_EQ(plan.at("partitions").as_array().size(), 1u);
    EXPECT_EQ(str(plan.at("partitions").as_array()[0].at("name")), expired_partition);
  }
  EXPECT_EQ(count("credential_id = 'key_expired'"), expired);  // a dry run deletes nothing

  auto pruned = run_ambit({"audit", "prune", "--config", file});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_EQ(json::parse(pruned.out).at("removed").as_int64(), expired);
  EXPECT_EQ(count("credential_id = 'key_expired'"), 0);
  EXPECT_EQ(count("credential_id <> 'key_expired'"), 3);  // the three /v1/me reads are not expired
  if (GetParam() == Backend::postgresql) {
    long long tables = 0;
    *db.session() << "SELECT COUNT(*) FROM pg_class WHERE relname = '" + expired_partition + "'", soci::into(tables);
    EXPECT_EQ(tables, 0);  // dropped whole, not emptied
  }

  // The server runs the same prune as a job when it starts, then every interval.
  insert_expired_rows(owner.tenant_id, expired);
  ServerProcess server(file);
  EXPECT_TRUE(eventually([&] { return count("credential_id = 'key_expired'") == 0; }, 30s));
  EXPECT_EQ(count("credential_id <> 'key_expired'"), 3);
}

TEST_P(AuditLog, TheFileSinkCopiesEveryRowRotatesAndCatchesUpAfterAFailure) {
  // The sink's directory is a regular file at first: every write fails.
  std::filesystem::create_directories(dir.path() / "data");
  std::ofstream(dir.path() / "data" / "siem") << "in the way";
  auto file = config({{"sinks", json::array{json::object{
                                    {"type", "file"}, {"path", "siem/audit.jsonl"}, {"max_bytes", 4096}, {"max_files", 3}}}}});
  auto owner = bootstrap_owner(file);
  ServerProcess server(file);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);
  ASSERT_TRUE(drained(server.port()));
  EXPECT_GE(count("route = '/v1/me'"), 30);  // the database never waits for a sink
  auto sink_metric = [&](const std::string& name) {
    auto text = http(server.port(), "GET", "/metrics").body;
    auto at = text.find(name + "{sink=");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(text.find("} ", at) + 2));
  };
  EXPECT_TRUE(eventually([&] { return sink_metric("ambit_audit_sink_failures_total") > 0; }));

  std::filesystem::remove(dir.path() / "data" / "siem");  // the operator fixes it: the retried rows land
  for (int i = 0; i < 30; ++i) ASSERT_EQ(http(server.port(), "GET", "/v1/me", bearer(owner.key)).status, 200);
  ASSERT_TRUE(drained(server.port()));
  auto written = metric(server.port(), "ambit_audit_rows_written_total");
  EXPECT_TRUE(eventually([&] { return sink_metric("ambit_audit_sink_rows_delivered_total") == written; }, 60s));
  EXPECT_EQ(sink_metric("ambit_audit_sink_rows_dropped_total"), 0);

  std::set<std::string> ids;
  int files = 0;
  for (auto name : {"audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3"}) {
    auto path = dir.path() / "data" / "siem" / name;
    if (!std::filesystem::exists(path)) continue;
    ++files;
    EXPECT_LE(std::filesystem::file_size(path), 4096u);
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) ids.insert(str(json::parse(line).at("id")));
  }
  EXPECT_EQ(files, 3);  // rotated, and no more than max_files kept
  // The newest row reached the files too (whichever the rotation left it in).
  auto newest = str(http(server.port(), "GET", "/v1/audit?limit=1", bearer(owner.key)).json().at("data").at(0).at("id"));
  EXPECT_TRUE(ids.contains(newest));
}

INSTANTIATE_TEST_SUITE_P(Db, AuditLog, ::testing::ValuesIn(test_backends()), backend_param_name);

}  // namespace
