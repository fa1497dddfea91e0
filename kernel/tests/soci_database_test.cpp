#include "db/soci_database.hpp"

#include <soci/soci.h>

#include "db_fixture.hpp"

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
