#pragma once
// Where the test binaries find things, and the databases tests run against.
//
// Database tests run once per backend: SQLite always, PostgreSQL when
// AMBIT_TEST_PG_URL / AMBIT_TEST_PG_ADMIN_URL are set (./scripts/test sets
// them; AMBIT_TEST_REQUIRE_PG=1 makes their absence a failure, not a skip).

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ambit/sdk/version.hpp"

namespace soci {
class session;
}

namespace ambit::test {

std::string ambit_binary();
std::filesystem::path plugin_build_dir();   ///< first-party plugins
std::filesystem::path fixture_plugin_dir();  ///< test fixture plugins
std::filesystem::path source_dir();
/// This kernel's SDK version as refusals print it, e.g. "1.1".
inline std::string kernel_sdk_version() {
  return std::to_string(AMBIT_SDK_VERSION_MAJOR) + "." + std::to_string(AMBIT_SDK_VERSION_MINOR);
}

/// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

enum class Backend { sqlite, postgresql };
std::string backend_name(Backend b);
/// Both backends: test lists must not depend on the environment (ctest caches
/// them); a test on an unavailable backend skips, or fails when required.
std::vector<Backend> test_backends();
/// Why `b` cannot be used in this run, if it cannot.
std::optional<std::string> backend_unavailable(Backend b);
bool backend_required();

/// First line of a database test: skip (or fail, under AMBIT_TEST_REQUIRE_PG) without the backend.
#define AMBIT_REQUIRE_BACKEND(b)                                              \
  do {                                                                        \
    if (auto why_ = ::ambit::test::backend_unavailable(b)) {                  \
      if (::ambit::test::backend_required()) FAIL() << *why_;                 \
      GTEST_SKIP() << *why_;                                                  \
    }                                                                         \
  } while (0)

/// A fresh, empty database for one test: a file under `dir` for SQLite, a
/// new database (dropped in the destructor) on the test PostgreSQL server.
class TestDatabase {
 public:
  TestDatabase(Backend backend, const TempDir& dir);
  ~TestDatabase();
  const std::string& url() const { return url_; }
  /// Run one SQL statement directly (test set-up such as back-filled data).
  void exec(const std::string& sql) const;
  /// A connection of the test's own (holding a lock across requests).
  std::unique_ptr<soci::session> session() const;
  /// Rows in each table (name -> count): to show a request stored nothing.
  std::map<std::string, long long> row_counts() const;
  Backend backend() const { return backend_; }

 private:
  Backend backend_;
  std::string url_;
  std::string pg_name_;
};

/// Write a deployment config file and return its path.
std::string write_config(const TempDir& dir, const boost::json::object& config, const std::string& name = "ambit.json");

/// Polls `condition` every 25 ms until it holds (true) or `limit` passes (false).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

}  // namespace ambit::test
