#include "test_env.hpp"

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <soci/soci.h>

#include <cstdlib>
#include <fstream>
#include <random>

namespace ambit::test {
namespace fs = std::filesystem;

std::string ambit_binary() { return AMBIT_TEST_BINARY; }
fs::path plugin_build_dir() { return AMBIT_TEST_PLUGIN_DIR; }
fs::path fixture_plugin_dir() { return AMBIT_TEST_FIXTURE_DIR; }
fs::path source_dir() { return AMBIT_TEST_SOURCE_DIR; }

namespace {
std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += hex[rng() % 16];
  return s;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// libpq URI -> keyword form for the admin connection (tests only use plain URIs).
std::string admin_connect_string() {
  std::string url = env("AMBIT_TEST_PG_ADMIN_URL");
  // postgresql://user@host:port/db
  auto rest = url.substr(url.find("://") + 3);
  auto at = rest.find('@');
  std::string user = rest.substr(0, at);
  auto hostport = rest.substr(at + 1, rest.find('/') - at - 1);
  auto colon = hostport.find(':');
  return "host=" + hostport.substr(0, colon) + " port=" + hostport.substr(colon + 1) + " user=" + user +
         " dbname=postgres";
}
}  // namespace

TempDir::TempDir() {
  path_ = fs::temp_directory_path() / ("ambit-test-" + random_suffix());
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string backend_name(Backend b) { return b == Backend::sqlite ? "sqlite" : "postgresql"; }

std::vector<Backend> test_backends() { return {Backend::sqlite, Backend::postgresql}; }

std::optional<std::string> backend_unavailable(Backend b) {
  if (b == Backend::sqlite || (env("AMBIT_TEST_PG_URL") && env("AMBIT_TEST_PG_ADMIN_URL"))) return std::nullopt;
  return "PostgreSQL tests need AMBIT_TEST_PG_URL and AMBIT_TEST_PG_ADMIN_URL (./scripts/test sets them)";
}

bool backend_required() { return env("AMBIT_TEST_REQUIRE_PG") != nullptr; }

TestDatabase::TestDatabase(Backend backend, const TempDir& dir) : backend_(backend) {
  if (backend == Backend::sqlite) {
    url_ = "sqlite3://" + (dir.path() / "test.db").string();
    return;
  }
  pg_name_ = "ambit_t_" + random_suffix();
  soci::session admin(*soci::factory_postgresql(), admin_connect_string());
  admin << "CREATE DATABASE " + pg_name_ + " OWNER ambit";
  std::string base = env("AMBIT_TEST_PG_URL");
  url_ = base.substr(0, base.rfind('/') + 1) + pg_name_;
}

TestDatabase::~TestDatabase() {
  if (pg_name_.empty()) return;
  try {
    soci::session admin(*soci::factory_postgresql(), admin_connect_string());
    admin << "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)";
  } catch (...) {
  }
}

namespace {
std::unique_ptr<soci::session> open_session(Backend backend, const std::string& url, const std::string& pg_name) {
  if (backend == Backend::sqlite)
    return std::make_unique<soci::session>(*soci::factory_sqlite3(), "db=" + url.substr(std::string("sqlite3://").size()));
  std::string conn = admin_connect_string();
  conn = conn.substr(0, conn.find(" user=")) + " user=ambit dbname=" + pg_name;
  return std::make_unique<soci::session>(*soci::factory_postgresql(), conn);
}
}  // namespace

void TestDatabase::exec(const std::string& sql) const { *open_session(backend_, url_, pg_name_) << sql; }

std::unique_ptr<soci::session> TestDatabase::session() const { return open_session(backend_, url_, pg_name_); }

std::map<std::string, long long> TestDatabase::row_counts() const {
  auto s = open_session(backend_, url_, pg_name_);
  std::vector<std::string> tables(1000);
  if (backend_ == Backend::sqlite)
    *s << "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", soci::into(tables);
  else
    *s << "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        soci::into(tables);
  std::map<std::string, long long> counts;
  for (auto& t : tables) {
    long long n = 0;
    *s << "SELECT COUNT(*) FROM \"" + t + "\"", soci::into(n);
    counts[t] = n;
  }
  return counts;
}

std::string write_config(const TempDir& dir, const boost::json::object& config, const std::string& name) {
  auto path = dir.path() / name;
  std::ofstream(path) << boost::json::serialize(config);
  return path.string();
}

}  // namespace ambit::test
