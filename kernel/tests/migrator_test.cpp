#include "db/migrator.hpp"

#include <soci/soci.h>

#include "db_fixture.hpp"

using namespace ambit;
using ambit::test::DbTest;

namespace {
sdk::Migration m(int version, std::string name, std::string sql, sdk::Dialect d) {
  return sdk::Migration{version, std::move(name), d, std::move(sql)};
}
}  // namespace

class Migrator : public DbTest {
 protected:
  sdk::Dialect d() const { return db->dialect(); }
  int count(const std::string& sql) {
    auto s = db->session();
    int n = 0;
    *s << sql, soci::into(n);
    return n;
  }
};

TEST_P(Migrator, AppliesInOrderOnceAndRecordsChecksums) {
  kernel::MigrationSet set{"demo", {m(2, "0002_b.sql", "INSERT INTO demo_t (v) VALUES (2)", d()),
                                    m(1, "0001_a.sql", "CREATE TABLE demo_t (v INTEGER); INSERT INTO demo_t (v) VALUES (1)", d()),
                                    m(1, "0001_other_dialect.sql", "THIS IS NOT SQL", d() == sdk::Dialect::sqlite ? sdk::Dialect::postgresql : sdk::Dialect::sqlite)}};
  EXPECT_EQ(kernel::apply_migrations(*db, {set}, log), 2);
  EXPECT_EQ(kernel::apply_migrations(*db, {set}, log), 0);  // idempotent
  EXPECT_EQ(count("SELECT COUNT(*) FROM demo_t"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ambit_migrations WHERE owner = 'demo'"), 2);
  auto s = db->session();
  std::string sum;
  *s << "SELECT checksum FROM ambit_migrations WHERE owner = 'demo' AND version = 1", soci::into(sum);
  EXPECT_EQ(sum, kernel::sha256_hex("CREATE TABLE demo_t (v INTEGER); INSERT INTO demo_t (v) VALUES (1)"));
}

TEST_P(Migrator, RefusesAChangedMigration) {
  kernel::MigrationSet set{"demo", {m(1, "0001_a.sql", "CREATE TABLE demo_t (v INTEGER)", d())}};
  kernel::apply_migrations(*db, {set}, log);
  set.migrations[0].sql = "CREATE TABLE demo_t (v INTEGER, w INTEGER)";
  try {
    kernel::apply_migrations(*db, {set}, log);
    FAIL() << "changed migration accepted";
  } catch (const kernel::MigrationError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("migration demo/" + std::string(d() == sdk::Dialect::sqlite ? "sqlite" : "postgresql") +
                       "/0001_a.sql was changed after it was applied"), std::string::npos) << msg;
  }
}

TEST_P(Migrator, AFailingMigrationRollsBackAndNamesTheFile) {
  kernel::MigrationSet set{"demo", {m(1, "0001_a.sql", "CREATE TABLE demo_t (v INTEGER)", d()),
                                    m(2, "0002_broken.sql", "CREATE TABLE demo_u (v INTEGER); INSERT INTO no_such_table VALUES (1)", d())}};
  try {
    kernel::apply_migrations(*db, {set}, log);
    FAIL() << "broken migration accepted";
  } catch (const kernel::MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("0002_broken.sql failed and was rolled back"), std::string::npos) << e.what();
  }
  // Version 1 committed; nothing of version 2 remains (demo_u rolled back).
  EXPECT_EQ(count("SELECT COUNT(*) FROM ambit_migrations WHERE owner = 'demo'"), 1);
  auto s = db->session();
  EXPECT_THROW(*s << "SELECT COUNT(*) FROM demo_u", std::exception);
}

TEST_P(Migrator, RefusesGapsAndADatabaseAheadOfTheCode) {
  kernel::MigrationSet gap{"demo", {m(1, "0001_a.sql", "CREATE TABLE demo_t (v INTEGER)", d()),
                                    m(3, "0003_c.sql", "SELECT 1", d())}};
  EXPECT_THROW(kernel::apply_migrations(*db, {gap}, log), kernel::MigrationError);
  kernel::MigrationSet two{"demo", {m(1, "0001_a.sql", "CREATE TABLE demo_t (v INTEGER)", d()),
                                    m(2, "0002_b.sql", "CREATE TABLE demo_u (v INTEGER)", d())}};
  kernel::apply_migrations(*db, {two}, log);
  two.migrations.pop_back();
  try {
    kernel::apply_migrations(*db, {two}, log);
    FAIL();
  } catch (const kernel::MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("which this build does not have"), std::string::npos) << e.what();
  }
}

AMBIT_INSTANTIATE_DB_TEST(Migrator);
