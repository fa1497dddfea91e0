#pragma once
// The fixture of remote-config's tests: a server with auth-apikey, projects
// and remote-config on the test's database, its owner, and one provisioned
// project with its client key.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "e2e_util.hpp"

namespace remote_config_test {

using namespace ambit::test;
namespace json = boost::json;

class RemoteConfig : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    config_file = write_config(dir, deployment({}, settings()));
    owner = bootstrap_owner(config_file);
    ASSERT_FALSE(owner.key.empty());
    server = std::make_unique<ServerProcess>(config_file);
    auto created = create_project(owner.key);
    project = created.first;
    client_key = created.second;
  }
  /// remote-config's config section of the test's server.
  virtual json::object settings() { return {}; }
  json::object deployment(json::object jobs = {}, json::object remote_config = {}, bool with_remote_config = true) {
    json::array plugins{json::object{{"name", "auth-apikey"}}, json::object{{"name", "projects"}}};
    if (with_remote_config) plugins.push_back(json::object{{"name", "remote-config"}, {"config", remote_config}});
    return e2e_config(dir, db->url(), plugins, {}, jobs);
  }
  /// A provisioned project and its client key.
  std::pair<std::string, std::string> create_project(const std::string& key, std::uint16_t port = 0) {
    port = port ? port : server->port();
    auto r = http(port, "POST", "/v1/admin/projects", bearer(key), R"({"name": "App"})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto d = r.json().at("data");
    std::string id = str(d.at("project").at("id"));
    EXPECT_TRUE(eventually([&] {
      auto s = http(port, "GET", "/v1/admin/projects/" + id + "/provisioning-status", bearer(key));
      return s.json().at("data").at("status").as_string() == "active";
    }));
    return {id, str(d.at("api_keys").at("client").at("key"))};
  }
  HttpResult admin(const std::string& method, const std::string& path, const std::string& body = {},
                   const std::string& key = {}) {
    return http(server->port(), method, "/v1/admin/projects/" + project + path, bearer(key.empty() ? owner.key : key),
                body);
  }
  json::object set(const std::string& body) {
    auto r = admin("POST", "/config", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("data").as_object() : json::object{};
  }
  HttpResult client(const std::string& query = {}, Headers extra = {}, const std::string& key = {},
                    std::uint16_t port = 0) {
    Headers h = bearer(key.empty() ? client_key : key);
    for (auto& x : extra) h.push_back(x);
    return http(port ? port : server->port(), "GET", "/v1/client/config" + query, h);
  }
  json::object config_for(const std::string& query = {}) {
    auto r = client(query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("data").at("config").as_object() : json::object{};
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string config_file;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
  std::string project, client_key;
};

}  // namespace remote_config_test
