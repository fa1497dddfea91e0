#pragma once
// A kernel test fixture parameterized over the database backends.
#include <gtest/gtest.h>

#include <memory>

#include "ambit/sdk/embedded_migrations.hpp"
#include "db/migrator.hpp"
#include "db/soci_database.hpp"
#include "log/json_logger.hpp"
#include "test_env.hpp"

namespace ambit::test {

class NullLogger final : public sdk::Logger {
 public:
  bool enabled(sdk::LogLevel) const override { return false; }
  void log(sdk::LogLevel, std::string_view, const boost::json::object&) override {}
};

class DbTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    database = std::make_unique<TestDatabase>(GetParam(), dir);
    db = std::make_unique<kernel::SociDatabase>(kernel::parse_database_url(database->url()), 4);
  }
  /// Apply the kernel's own migrations (job and keyring tables).
  void migrate_kernel() {
    kernel::apply_migrations(*db, {kernel::MigrationSet{"kernel", sdk::embedded_migrations()}}, log);
  }
  void TearDown() override {
    db.reset();
    database.reset();
  }

  TempDir dir;
  NullLogger log;
  std::unique_ptr<TestDatabase> database;
  std::unique_ptr<kernel::SociDatabase> db;
};

inline std::string param_name(const ::testing::TestParamInfo<Backend>& info) { return backend_name(info.param); }

}  // namespace ambit::test

#define AMBIT_INSTANTIATE_DB_TEST(Suite) \
  INSTANTIATE_TEST_SUITE_P(Db, Suite, ::testing::ValuesIn(::ambit::test::test_backends()), ::ambit::test::param_name)
