#include "jobs/job_queue.hpp"

#include <soci/soci.h>

#include <atomic>
#include <thread>

#include "db_fixture.hpp"

using namespace ambit;
using ambit::test::DbTest;

namespace {
class ManualClock final : public sdk::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return t.load(); }
  void advance(std::chrono::milliseconds d) { t = t.load() + d; }
  std::atomic<std::chrono::system_clock::time_point> t{std::chrono::system_clock::time_point(std::chrono::hours(500000))};
};
}  // namespace

class JobQueueTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    migrate_kernel();
    auto s = db->session();
    *s << "CREATE TABLE effects (job_id TEXT, attempt INTEGER)";
    events = std::make_unique<kernel::EventBus>(db->target(), log);
    kernel::JobsConfig cfg;
    cfg.backoff_base = std::chrono::milliseconds(1000);
    queue = std::make_unique<kernel::JobQueue>(*db, *events, clock, log, cfg);
  }
  void TearDown() override {
    queue.reset();
    events.reset();
    DbTest::TearDown();
  }
  sdk::EnqueueResult enqueue(sdk::JobSpec spec) {
    sdk::EnqueueResult r;
    db->transaction([&](soci::session& tx) { r = queue->enqueue(tx, spec); });
    return r;
  }
  int effects() {
    auto s = db->session();
    int n = 0;
    *s << "SELECT COUNT(*) FROM effects", soci::into(n);
    return n;
  }
  ManualClock clock;
  std::unique_ptr<kernel::EventBus> events;
  std::unique_ptr<kernel::JobQueue> queue;
};

TEST_P(JobQueueTest, IdempotencyKeyReturnsTheExistingJob) {
  queue->add_handler("t.noop", [](const sdk::Job&, soci::session&) {});
  auto a = enqueue({"t.noop", {{"n", 1}}, "key-1", "", {}, 5});
  auto b = enqueue({"t.noop", {{"n", 2}}, "key-1", "", {}, 5});
  EXPECT_TRUE(a.created);
  EXPECT_FALSE(b.created);
  EXPECT_EQ(a.job_id, b.job_id);
  auto c = enqueue({"t.noop", {}, "", "my-own-id", {}, 5});
  EXPECT_EQ(c.job_id, "my-own-id");
  EXPECT_FALSE(enqueue({"t.noop", {}, "", "my-own-id", {}, 5}).created);
  EXPECT_EQ(queue->find(a.job_id)->status, "queued");
}

TEST_P(JobQueueTest, EffectsAndCompletionCommitTogether) {
  queue->add_handler("t.write", [](const sdk::Job& job, soci::session& tx) {
    tx << "INSERT INTO effects (job_id, attempt) VALUES (:j, :a)", soci::use(job.id), soci::use(job.attempt);
    if (job.payload.at("fail").as_bool()) throw std::runtime_error("boom");
  });
  auto ok = enqueue({"t.write", {{"fail", false}}, "", "", {}, 5});
  auto bad = enqueue({"t.write", {{"fail", true}}, "", "", {}, 2});
  EXPECT_TRUE(queue->run_one());
  EXPECT_TRUE(queue->run_one());
  EXPECT_FALSE(queue->run_one());  // the failed one waits for its backoff
  EXPECT_EQ(effects(), 1);         // the failed attempt's insert was rolled back
  EXPECT_EQ(queue->find(ok.job_id)->status, "done");
  auto info = queue->find(bad.job_id);
  EXPECT_EQ(info->status, "queued");
  EXPECT_EQ(info->last_error, "boom");
  EXPECT_EQ(info->attempts, 1);
  clock.advance(std::chrono::milliseconds(999));
  EXPECT_FALSE(queue->run_one());
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(queue->run_one());  // attempt 2 of 2 fails: dead
  EXPECT_EQ(queue->find(bad.job_id)->status, "dead");
  clock.advance(std::chrono::hours(2));
  EXPECT_FALSE(queue->run_one());
  EXPECT_EQ(effects(), 1);
}

TEST_P(JobQueueTest, RetriesBackOffExponentially) {
  std::atomic<int> calls{0};
  queue->add_handler("t.flaky", [&](const sdk::Job& job, soci::session&) {
    ++calls;
    if (job.attempt < 3) throw std::runtime_error("not yet");
  });
  auto id = enqueue({"t.flaky", {}, "", "", {}, 5}).job_id;
  EXPECT_TRUE(queue->run_one());                   // attempt 1 fails, retry in 1 s
  clock.advance(std::chrono::milliseconds(1000));
  EXPECT_TRUE(queue->run_one());                   // attempt 2 fails, retry in 2 s
  clock.advance(std::chrono::milliseconds(1999));
  EXPECT_FALSE(queue->run_one());
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(queue->run_one());                   // attempt 3 succeeds
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(queue->find(id)->status, "done");
}

TEST_P(JobQueueTest, EnqueueInARolledBackTransactionLeavesNoJob) {
  queue->add_handler("t.noop", [](const sdk::Job&, soci::session&) {});
  EXPECT_THROW(db->transaction([&](soci::session& tx) {
    queue->enqueue(tx, {"t.noop", {}, "", "ghost", {}, 5});
    throw std::runtime_error("caller failed");
  }), std::runtime_error);
  EXPECT_FALSE(queue->find("ghost"));
  EXPECT_FALSE(queue->run_one());
}

// Needs two concurrent writers: PostgreSQL only (on SQLite, A's transaction blocks B).
class JobQueuePgTest : public JobQueueTest {};

TEST_P(JobQueuePgTest, AnExpiredLeaseIsTakenOverAndTheStaleRunnerCannotComplete) {
  // Runner A claims, then "dies" (its lease expires); runner B re-runs the job.
  kernel::JobsConfig cfg;
  cfg.lease = std::chrono::milliseconds(1000);
  kernel::JobQueue a(*db, *events, clock, log, cfg), b(*db, *events, clock, log, cfg);
  std::atomic<int> runs{0};
  bool stall = true;
  auto handler = [&](const sdk::Job& job, soci::session& tx) {
    ++runs;
    if (stall) {
      stall = false;
      clock.advance(std::chrono::milliseconds(1500));  // A runs past its lease...
      EXPECT_TRUE(b.run_one());                       // ...and B takes the job over meanwhile
    }
    tx << "INSERT INTO effects (job_id, attempt) VALUES (:j, :a)", soci::use(job.id), soci::use(job.attempt);
  };
  a.add_handler("t.lease", handler);
  b.add_handler("t.lease", handler);
  auto id = enqueue({"t.lease", {}, "", "", {}, 5}).job_id;
  EXPECT_TRUE(a.run_one());
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(effects(), 1);  // only B's effects committed
  EXPECT_EQ(queue->find(id)->status, "done");
}


TEST_P(JobQueuePgTest, ALongJobKeepsItsLeaseByHeartbeatAndRunsOnce) {
  kernel::JobsConfig cfg;
  cfg.lease = std::chrono::milliseconds(300);  // heartbeat every 100 ms
  cfg.workers = 1;
  kernel::JobQueue a(*db, *events, clock, log, cfg), b(*db, *events, clock, log, cfg);
  std::atomic<int> runs{0}, taken_over{0};
  auto handler = [&](const sdk::Job& job, soci::session& tx) {
    if (++runs == 1) {
      for (int i = 0; i < 5; ++i) {  // 1 s of clock: over three leases
        clock.advance(std::chrono::milliseconds(200));
        std::this_thread::sleep_for(std::chrono::milliseconds(350));
        if (b.run_one()) ++taken_over;
      }
    }
    tx << "INSERT INTO effects (job_id, attempt) VALUES (:j, :a)", soci::use(job.id), soci::use(job.attempt);
  };
  a.add_handler("t.long", handler);
  b.add_handler("t.long", handler);
  auto id = enqueue({"t.long", {}, "", "", {}, 5}).job_id;
  a.start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (queue->find(id)->status != "done" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  a.stop();
  EXPECT_EQ(queue->find(id)->status, "done");
  EXPECT_EQ(taken_over, 0);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(effects(), 1);
}

TEST_P(JobQueueTest, OnSqliteJobsLeftRunningByADeadProcessAreRetakenAtStart) {
  if (GetParam() != test::Backend::sqlite) GTEST_SKIP() << "SQLite: one process owns the database";
  std::atomic<int> runs{0};
  queue->add_handler("t.orphan", [&](const sdk::Job&, soci::session&) { ++runs; });
  auto id = enqueue({"t.orphan", {}, "", "", {}, 5}).job_id;
  // What kill -9 during the job leaves behind: running, leased far ahead by a process that is gone.
  auto s = db->session();
  const std::int64_t until = clock.now_ms() + 3600 * 1000;  // named: SOCI binds it when the statement ends
  *s << "UPDATE ambit_jobs SET status = 'running', attempts = 1, lease_owner = 'dead-host:1:x',"
        " lease_until = :u WHERE id = :id",
      soci::use(until), soci::use(id);
  s.reset();
  EXPECT_FALSE(queue->run_one());  // the lease still holds
  queue->start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (queue->find(id)->status != "done" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  queue->stop();
  EXPECT_EQ(queue->find(id)->status, "done");
  EXPECT_EQ(runs, 1);
}

AMBIT_INSTANTIATE_DB_TEST(JobQueueTest);
INSTANTIATE_TEST_SUITE_P(Db, JobQueuePgTest, ::testing::Values(ambit::test::Backend::postgresql), ambit::test::param_name);
