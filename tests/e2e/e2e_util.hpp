#pragma once
// Shared helpers for end-to-end tests: deployment configs for the real binary.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "test_env.hpp"

namespace ambit::test {

/// A config loading the given fixture/test plugins from the test plugin dir,
/// with `server` overrides merged in.
inline boost::json::object e2e_config(const TempDir& dir, const std::string& database_url,
                                      boost::json::array plugins = {}, boost::json::object server = {},
                                      boost::json::object jobs = {}) {
  boost::json::object s{{"listen", "127.0.0.1:0"}, {"access_log", false}};
  for (auto& [k, v] : server) s[k] = v;
  boost::json::object cfg{{"server", s},
                          {"data_dir", dir.str() + "/data"},
                          {"database", {{"url", database_url}, {"pool_size", 4}}},
                          {"plugin_dirs", {fixture_plugin_dir().string(), plugin_build_dir().string()}},
                          {"plugins", plugins}};
  if (!jobs.empty()) cfg["jobs"] = jobs;
  return cfg;
}

inline std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}

inline std::string sqlite_url(const TempDir& dir) { return "sqlite3://" + dir.str() + "/e2e.db"; }

}  // namespace ambit::test
