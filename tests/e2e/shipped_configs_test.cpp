// The deployments the repository ships (config/default.json, the embedded
// SQLite default, and config/postgres.json) pass `ambit check` with every
// first-party plugin, on a fresh data directory and database.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_util.hpp"

using namespace ambit::test;

namespace {

const char* const kFirstParty[] = {"auth-apikey", "auth-oauth", "projects", "remote-config", "secrets",
                                   "attestation-clients", "mcp", "console"};

void expect_all_plugins(const ProcessResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* plugin : kFirstParty) EXPECT_NE(r.out.find(plugin), std::string::npos) << plugin << ": " << r.out;
}

}  // namespace

class ShippedConfigs : public ::testing::TestWithParam<Backend> {};

TEST_P(ShippedConfigs, PassCheckWithEveryFirstPartyPlugin) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TempDir dir;
  TestDatabase db(GetParam(), dir);
  std::string file = (source_dir() / "config" / (GetParam() == Backend::sqlite ? "default.json" : "postgres.json")).string();
  std::filesystem::create_directories(dir.path() / "data");  // `serve` creates it; `check` expects it
  std::map<std::string, std::string> env{{"AMBIT_DATA_DIR", dir.str() + "/data"}};
  if (GetParam() == Backend::postgresql) env["AMBIT_DATABASE_URL"] = db.url();
  expect_all_plugins(run_ambit({"check", "--config", file}, env));
  auto migrated = run_ambit({"migrate", "--config", file}, env);
  EXPECT_EQ(migrated.exit_code, 0) << migrated.out << migrated.err;
}

INSTANTIATE_TEST_SUITE_P(Db, ShippedConfigs, ::testing::ValuesIn(test_backends()), backend_param_name);
