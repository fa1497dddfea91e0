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

struct Invited {
  std::string user_id, key;  ///< the invitee's own key, minted at acceptance
};

/// A member joins the way people do: `inviter_key` invites `email` as
/// `role` (POST /v1/invitations), the invitee accepts the link's token with
/// their own password (a new user chooses it; an existing one signs in).
inline Invited invite_member(std::uint16_t port, const std::string& inviter_key, const std::string& email,
                             const std::string& role, const std::string& password = "correct horse battery") {
  auto inv = http(port, "POST", "/v1/invitations", bearer(inviter_key),
                  boost::json::serialize(boost::json::object{{"email", email}, {"role", role}}));
  EXPECT_EQ(inv.status, 201) << inv.body;
  if (inv.status != 201) return {};
  auto accepted = http(port, "POST", "/v1/invitations/accept", {},
                       boost::json::serialize(boost::json::object{
                           {"token", inv.json().at("data").at("token")}, {"password", password}}));
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  if (accepted.status != 200) return {};
  auto d = accepted.json().at("data");
  return {str(d.at("user_id")), str(d.at("api_key").at("key"))};
}

/// A second tenant owned by a user of its own: the owner invites `email`
/// (as owner, so the new tenant's key may carry the owner bundle), who
/// creates the tenant (POST /v1/tenants) and then leaves the first one.
inline TenantOwner create_tenant(std::uint16_t port, const std::string& owner_key, const std::string& email,
                                 const std::string& name) {
  auto member = invite_member(port, owner_key, email, "owner");
  auto t = http(port, "POST", "/v1/tenants", bearer(member.key),
                boost::json::serialize(boost::json::object{{"name", name}}));
  EXPECT_EQ(t.status, 201) << t.body;
  if (t.status != 201) return {};
  auto left = http(port, "DELETE", "/v1/users/" + member.user_id, bearer(owner_key));
  EXPECT_EQ(left.status, 204) << left.body;
  auto d = t.json().at("data");
  return {str(d.at("tenant").at("id")), member.user_id, str(d.at("api_key").at("key"))};
}

/// Every row of a paged list (sdk/paging.hpp), following next_cursor from
/// the first page, `limit` rows a page: `field` of each row in page order,
/// and how many pages it took (0 when next_cursor never became null).
inline std::pair<std::vector<std::string>, int> walk_pages(std::uint16_t port, const std::string& path, int limit,
                                                           const std::string& key, const char* field = "id") {
  std::vector<std::string> seen;
  std::string cursor;
  const char* join = path.find('?') == std::string::npos ? "?" : "&";
  for (int pages = 1; pages <= 100; ++pages) {
    auto r = http(port, "GET", path + join + "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor),
                  bearer(key));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    auto page = r.json().as_object();
    auto& rows = page.at("data").as_array();
    EXPECT_LE(rows.size(), static_cast<std::size_t>(limit));
    for (auto& row : rows) seen.push_back(str(row.at(field)));
    if (page.at("next_cursor").is_null()) return {seen, pages};
    EXPECT_EQ(rows.size(), static_cast<std::size_t>(limit));  // only the last page is short
    cursor = str(page.at("next_cursor"));
  }
  ADD_FAILURE() << path << ": next_cursor never became null";
  return {seen, 0};
}

}  // namespace ambit::test
