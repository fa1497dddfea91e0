#pragma once
// Shared helpers for end-to-end tests: deployment configs for the real binary.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "http_client.hpp"
#include "server_process.hpp"
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

inline Headers bearer(const std::string& credential) { return {{"Authorization", "Bearer " + credential}}; }

/// A JSON string value as std::string.
inline std::string str(const boost::json::value& v) { return std::string(v.as_string()); }

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `pg_dump` of a PostgreSQL database: everything it stores, as text.
inline std::string pg_dump_text(const std::string& url) {
  std::string cmd = "pg_dump '" + url + "' 2>&1";
  if (std::system("command -v pg_dump >/dev/null 2>&1") != 0) cmd = "/usr/lib/postgresql/15/bin/" + cmd;
  std::string dump;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) dump.append(buf, n);
    ::pclose(p);
  }
  return dump;
}

/// error.code of an error envelope.
inline std::string error_code(const HttpResult& r) {
  return std::string(r.json().at("error").at("code").as_string());
}

/// Poll `condition` until it holds or `limit` passes (for work done off the request path).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

/// A tenant with an owner credential.
struct TenantOwner {
  std::string tenant_id, user_id, key;
};

/// `ambit bootstrap`: the first tenant and its owner's API key.
inline TenantOwner bootstrap_owner(const std::string& config_file, const std::string& email = "owner@example.com") {
  auto boot = run_ambit({"bootstrap", "--config", config_file, "--email", email});
  EXPECT_EQ(boot.exit_code, 0) << boot.err;
  if (boot.exit_code != 0) return {};
  auto j = boost::json::parse(boot.out);
  return {std::string(j.at("tenant_id").as_string()), std::string(j.at("user_id").as_string()),
          std::string(j.at("api_key").as_string())};
}

/// A second tenant: a new member of the owner's tenant creates its own tenant
/// (POST /v1/tenants) and owns it.
inline TenantOwner create_tenant(std::uint16_t port, const std::string& owner_key, const std::string& email,
                                 const std::string& name) {
  auto member = http(port, "POST", "/v1/users", bearer(owner_key),
                     boost::json::serialize(boost::json::object{{"email", email}, {"role", "viewer"}}));
  EXPECT_EQ(member.status, 201) << member.body;
  std::string member_key(member.json().at("data").at("api_key").at("key").as_string());
  auto t = http(port, "POST", "/v1/tenants", bearer(member_key),
                boost::json::serialize(boost::json::object{{"name", name}}));
  EXPECT_EQ(t.status, 201) << t.body;
  auto d = t.json().at("data");
  return {std::string(d.at("tenant").at("id").as_string()),
          std::string(member.json().at("data").at("user_id").as_string()),
          std::string(d.at("api_key").at("key").as_string())};
}

}  // namespace ambit::test
