#include "db/soci_database.hpp"

#include <soci/soci.h>

#include <sys/stat.h>

#include "db_fixture.hpp"
#include "pg_admin.hpp"

using namespace ambit;
using ambit::test::DbTest;

class Transactions : public DbTest {
 protected:
  int count() {
    auto s = db->session();
    int n = 0;
    *s << "SELECT COUNT(*) FROM t", soci::into(n);
    return n;
  }
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto s = db->session();
    *s << "CREATE TABLE t (v INTEGER)";
  }
};

TEST_P(Transactions, CommitsOnReturnAndRollsBackOnThrow) {
  db->transaction([](soci::session& tx) { tx << "INSERT INTO t (v) VALUES (1)"; });
  EXPECT_THROW(db->transaction([](soci::session& tx) {
    tx << "INSERT INTO t (v) VALUES (2)";
    throw std::runtime_error("caller failed");
  }), std::runtime_error);
  EXPECT_EQ(count(), 1);
}

// SQLSTATE 40001 is PostgreSQL's.
class PgTransactions : public Transactions {};

TEST_P(PgTransactions, RetriesASerializationFailureAndNothingElse) {
  int attempts = 0;
  db->transaction([&](soci::session& tx) {
    ++attempts;
    tx << "INSERT INTO t (v) VALUES (1)";
    // What a conflicting SERIALIZABLE writer would cause, raised on purpose.
    if (attempts == 1) tx << "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$";
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(count(), 1);  // the first attempt's insert was rolled back
  attempts = 0;
  EXPECT_THROW(db->transaction([&](soci::session& tx) {
    ++attempts;
    tx << "INSERT INTO no_such_table VALUES (1)";
  }), std::exception);
  EXPECT_EQ(attempts, 1);  // not retryable
}

TEST_P(Transactions, AfterCommitHooksRunOnlyAfterACommit) {
  int ran = 0;
  db->transaction([&](soci::session& tx) {
    db->after_commit(tx, [&] { ++ran; });
    EXPECT_EQ(ran, 0);
  });
  EXPECT_EQ(ran, 1);
  EXPECT_THROW(db->transaction([&](soci::session& tx) {
    db->after_commit(tx, [&] { ++ran; });
    throw std::runtime_error("rolled back");
  }), std::runtime_error);
  EXPECT_EQ(ran, 1);
  auto s = db->session();
  db->after_commit(*s, [&] { ++ran; });  // outside a transaction: at once
  EXPECT_EQ(ran, 2);
}

AMBIT_INSTANTIATE_DB_TEST(Transactions);
INSTANTIATE_TEST_SUITE_P(Db, PgTransactions, ::testing::Values(ambit::test::Backend::postgresql), ambit::test::param_name);

// What a PostgreSQL restart does to the pool: every pooled connection is closed by the server.
class PgConnectionLoss : public Transactions {
 protected:
  int terminate() { return test::terminate_connections(test::pg_database_name(database->url())); }
};

TEST_P(PgConnectionLoss, ABrokenPooledConnectionIsReplacedNotLent) {
  ASSERT_GE(terminate(), 4);  // the whole pool
  std::vector<sdk::Session> held;  // hold every slot, so each dead connection is leased once
  for (int i = 0; i < db->size(); ++i) held.push_back(db->session());
  for (auto& s : held) {
    int one = 0;
    EXPECT_NO_THROW((*s << "SELECT 1", soci::into(one)));
    EXPECT_EQ(one, 1);
  }
  EXPECT_EQ(db->reconnects(), db->size());
  held.clear();
  EXPECT_TRUE(db->ping());
}

TEST_P(PgConnectionLoss, ATransactionWhoseConnectionDiesBeforeCommitRunsOnceMoreOnAFreshConnection) {
  int attempts = 0;
  db->transaction([&](soci::session& tx) {
    if (++attempts == 1) terminate();
    tx << "INSERT INTO t (v) VALUES (1)";
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(count(), 1);
  attempts = 0;  // a second loss in a row is not rerun again: 503, never a loop
  EXPECT_THROW(db->transaction([&](soci::session& tx) {
    ++attempts;
    terminate();
    tx << "INSERT INTO t (v) VALUES (2)";
  }), kernel::DatabaseUnavailable);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(count(), 1);
}

INSTANTIATE_TEST_SUITE_P(Db, PgConnectionLoss, ::testing::Values(ambit::test::Backend::postgresql), ambit::test::param_name);

TEST_P(Transactions, DatabaseFilesAreTheOwnersOnly) {
  if (GetParam() != test::Backend::sqlite) GTEST_SKIP() << "SQLite files only";
  auto path = db->target().sqlite_path;
  db->transaction([](soci::session& tx) { tx << "INSERT INTO t (v) VALUES (1)"; });
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((path + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << path << suffix;
  }
}
