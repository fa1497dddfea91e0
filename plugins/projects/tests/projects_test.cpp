// The projects plugin through the real binary, on SQLite and PostgreSQL:
// every endpoint and error code of seeds/projects.txt, provisioning through
// the lifecycle step of the step-kit test plugin, the fault switch, project
// keys and the sdk::Projects service.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

class Projects : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    owner = bootstrap_owner(write_config(dir, deployment()));
    ASSERT_FALSE(owner.key.empty());
  }

  /// The deployment: auth-apikey, projects (with `projects_config`) and step-kit.
  json::object deployment(json::object projects_config = {}, json::object jobs = {}) {
    json::object pc{{"region", "eu-test-1"}, {"last_used_flush_ms", 100}};
    for (auto& [k, v] : projects_config) pc[k] = v;
    return e2e_config(dir, db->url(),
                      {json::object{{"name", "auth-apikey"}}, json::object{{"name", "projects"}, {"config", pc}},
                       json::object{{"name", "step-kit"}}},
                      {}, jobs);
  }
  /// (Re)start the server with this deployment; AMBIT_TESTING=1 allows the fault switch.
  void serve(json::object projects_config = {}, json::object jobs = {}, const std::string& name = "ambit.json") {
    server.reset();
    server = std::make_unique<ServerProcess>(write_config(dir, deployment(std::move(projects_config), std::move(jobs)), name),
                                             std::map<std::string, std::string>{{"AMBIT_TESTING", "1"}});
  }

  HttpResult call(const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = {}) {
    return http(server->port(), method, target, bearer(key), body);
  }
  HttpResult admin(const std::string& method, const std::string& path, const std::string& body = {}) {
    return call(method, "/v1/admin/projects" + path, owner.key, body);
  }
  /// POST /v1/admin/projects -> data.
  json::object create(const std::string& body = R"({"name": "Demo"})", const std::string& key = {}) {
    auto r = call("POST", "/v1/admin/projects", key.empty() ? owner.key : key, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("data").as_object() : json::object{};
  }
  json::object provisioning(const std::string& id) {
    auto r = admin("GET", "/" + id + "/provisioning-status");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("data").as_object();
  }
  bool reaches(const std::string& id, const std::string& status) {
    return eventually([&] { return provisioning(id).at("status").as_string() == status; });
  }
  /// The project's key `key_id` as GET /v1/admin/projects/:id lists it (empty if absent).
  json::object key_listed(const std::string& id, const std::string& key_id) {
    json::value details = admin("GET", "/" + id).json();
    for (auto& k : details.at("data").at("api_keys").as_array())
      if (k.at("id").as_string() == key_id) return k.as_object();
    return {};
  }
  json::object step_kit(const std::string& id) {
    return http(server->port(), "GET", "/stepkit/runs/" + id).json().at("data").as_object();
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
};

TEST_P(Projects, CreateAnswersTheSeedBodyAndProvisionsAsynchronously) {
  serve();
  auto d = create(R"({"name": "Demo", "bundle_id": "com.example.demo", "platform": "ios"})");
  const auto& p = d.at("project").as_object();
  std::string id = str(p.at("id"));
  EXPECT_EQ(p.at("name").as_string(), "Demo");
  EXPECT_EQ(p.at("developer_id").as_string(), owner.tenant_id);
  EXPECT_EQ(p.at("platform").as_string(), "ios");
  EXPECT_TRUE(p.at("created_at").is_string());
  EXPECT_EQ(d.at("provisioning_status").as_string(), "provisioning");
  for (const char* type : {"client", "server"}) {
    const auto& k = d.at("api_keys").at(type).as_object();
    std::string key = str(k.at("key"));
    std::string expected_prefix = std::string(type) == "client" ? "amb_client_ck_" : "amb_server_sk_";
    EXPECT_EQ(key.rfind(expected_prefix, 0), 0u) << key;
    EXPECT_EQ(key.size(), 46u);
    EXPECT_EQ(str(k.at("prefix")), key.substr(0, 22));
    EXPECT_EQ(k.at("type").as_string(), type);
    EXPECT_EQ(k.at("environment").as_string(), "development");
  }

  ASSERT_TRUE(reaches(id, "active"));
  auto s = provisioning(id);
  EXPECT_EQ(s.at("projectId").as_string(), id);
  EXPECT_EQ(s.at("region").as_string(), "eu-test-1");
  EXPECT_TRUE(s.at("provisioned_at").is_string());
  EXPECT_EQ(s.at("job_id").as_string(), "provision-" + id);
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 1);  // the lifecycle step ran once

  auto details = admin("GET", "/" + id);
  ASSERT_EQ(details.status, 200) << details.body;
  auto dd = details.json().at("data");
  EXPECT_EQ(dd.at("bundle_id").as_string(), "com.example.demo");
  EXPECT_EQ(dd.at("provisioning_status").as_string(), "active");
  EXPECT_EQ(dd.at("api_keys").as_array().size(), 2u);
  EXPECT_TRUE(dd.at("integrations").as_array().empty());
}

TEST_P(Projects, NotProvisionedProjectsHaveNoRegionUntilTheyAreProvisioned) {
  serve({{"auto_provision", false}});
  auto d = create();
  std::string id = str(d.at("project").at("id"));
  EXPECT_EQ(d.at("provisioning_status").as_string(), "not_provisioned");
  auto s = provisioning(id);
  EXPECT_EQ(s.at("status").as_string(), "not_provisioned");
  EXPECT_TRUE(s.at("region").is_null());
  EXPECT_TRUE(s.at("provisioned_at").is_null());
  auto r = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(reaches(id, "active"));
  EXPECT_EQ(provisioning(id).at("region").as_string(), "eu-test-1");
}

TEST_P(Projects, CreateRejectsBadInputAndWritesNothing) {
  serve();
  struct Case {
    std::string body, field;
  };
  for (const Case& c : {Case{"{}", "name"}, Case{R"({"name": ""})", "name"}, Case{R"({"name": 7})", "name"},
                        Case{R"({"name": ")" + std::string(201, 'x') + R"("})", "name"},
                        Case{R"({"name": "A", "platform": "windows"})", "platform"},
                        Case{R"({"name": "A", "bundle_id": 5})", "bundle_id"}}) {
    auto r = admin("POST", "", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(error_code(r), "INVALID_INPUT");
    EXPECT_EQ(r.json().at("error").at("details").at("field").as_string(), c.field) << c.body;
  }
  auto bad_json = admin("POST", "", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(error_code(bad_json), "INVALID_INPUT");
  EXPECT_TRUE(admin("GET", "").json().at("data").as_array().empty());
  EXPECT_EQ(create(R"({"name": "Defaults"})").at("project").at("platform").as_string(), "all");
}

TEST_P(Projects, ListsNewestFirstAndHidesOtherTenantsProjects) {
  serve();
  std::string first = str(create(R"({"name": "First"})").at("project").at("id"));
  std::this_thread::sleep_for(5ms);
  std::string second = str(create(R"({"name": "Second"})").at("project").at("id"));
  auto list = admin("GET", "").json().at("data").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("id").as_string(), second);
  EXPECT_EQ(list[1].at("id").as_string(), first);
  EXPECT_EQ(list[0].at("name").as_string(), "Second");
  EXPECT_TRUE(list[0].at("created_at").is_string());

  auto b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  std::string theirs = str(create(R"({"name": "B's"})", b.key).at("project").at("id"));
  auto b_list = call("GET", "/v1/admin/projects", b.key).json().at("data").as_array();
  ASSERT_EQ(b_list.size(), 1u);
  EXPECT_EQ(b_list[0].at("id").as_string(), theirs);

  // Every endpoint answers 404 for another tenant's project, and changes nothing.
  struct Req {
    std::string method, path, body;
  };
  for (const Req& r : {Req{"GET", "", ""}, Req{"PATCH", "", R"({"name": "stolen"})"}, Req{"DELETE", "", ""},
                       Req{"POST", "/api-keys", R"({"key_type": "client", "environment": "production"})"},
                       Req{"DELETE", "/api-keys/pk_000000000000000000000000", ""}, Req{"POST", "/reprovision", ""},
                       Req{"GET", "/provisioning-status", ""}, Req{"POST", "/archive", ""},
                       Req{"POST", "/unarchive", ""}}) {
    auto res = call(r.method, "/v1/admin/projects/" + first + r.path, b.key, r.body);
    EXPECT_EQ(res.status, 404) << r.method << " " << r.path << ": " << res.body;
    EXPECT_EQ(error_code(res), "NOT_FOUND");
  }
  auto mine = admin("GET", "/" + first);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().at("data").at("name").as_string(), "First");
  EXPECT_EQ(admin("GET", "/prj_doesnotexist").status, 404);

  // The member B's owner is in tenant A is a viewer there: read yes, write no.
  auto viewer = call("POST", "/v1/api_keys", b.key, R"({"name": "x", "scopes": ["projects:read"]})");
  ASSERT_EQ(viewer.status, 201) << viewer.body;  // a key of tenant B, projects:read only
  std::string read_only = str(viewer.json().at("data").at("key"));
  EXPECT_EQ(call("GET", "/v1/admin/projects", read_only).status, 200);
  auto denied = call("POST", "/v1/admin/projects", read_only, R"({"name": "nope"})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.json().at("error").at("details").at("missing_scope").as_string(), "projects:write");
  EXPECT_EQ(call("GET", "/v1/admin/projects", "").status, 401);
}

TEST_P(Projects, ThePagesOfTheListWalkEveryProjectOnceNewestFirst) {
  serve({{"auto_provision", false}});
  std::vector<std::string> created;  // several within one millisecond: the id breaks the tie
  for (int i = 0; i < 7; ++i) created.push_back(str(create(R"({"name": "P)" + std::to_string(i) + R"("})").at("project").at("id")));
  auto whole = admin("GET", "?limit=500").json();
  EXPECT_TRUE(whole.at("next_cursor").is_null());
  std::vector<std::string> newest_first;
  for (auto& p : whole.at("data").as_array()) newest_first.push_back(str(p.at("id")));
  ASSERT_EQ(newest_first.size(), created.size());
  EXPECT_EQ(std::set<std::string>(newest_first.begin(), newest_first.end()),
            std::set<std::string>(created.begin(), created.end()));
  EXPECT_EQ(walk_pages(server->port(), "/v1/admin/projects", 3, owner.key), std::make_pair(newest_first, 3));
  EXPECT_EQ(walk_pages(server->port(), "/v1/admin/projects", 1, owner.key).first, newest_first);
  EXPECT_EQ(walk_pages(server->port(), "/v1/admin/projects", 7, owner.key).second, 1);  // no empty last page

  for (const char* bad : {"?limit=0", "?limit=501", "?limit=x", "?cursor=garbage", "?cursor=WzFd"}) {
    auto r = admin("GET", bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_EQ(error_code(r), "INVALID_INPUT") << bad;
  }
  // Another tenant's cursor only moves the starting point in its own list.
  auto cursor = str(admin("GET", "?limit=1").json().at("next_cursor"));
  auto b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  auto theirs = call("GET", "/v1/admin/projects?cursor=" + cursor, b.key);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_TRUE(theirs.json().at("data").as_array().empty());
}

TEST_P(Projects, PatchChangesOnlyPresentFieldsAndIgnoresUnknownOnes) {
  serve();
  std::string id = str(create(R"({"name": "Old", "bundle_id": "com.example.old"})").at("project").at("id"));
  ASSERT_TRUE(reaches(id, "active"));  // provisioning also moves updated_at
  auto before = admin("GET", "/" + id).json().at("data");

  auto noop = admin("PATCH", "/" + id, "{}");
  ASSERT_EQ(noop.status, 200) << noop.body;
  EXPECT_EQ(noop.json().at("data").at("name").as_string(), "Old");
  EXPECT_EQ(noop.json().at("data").at("updated_at"), before.at("updated_at"));

  std::this_thread::sleep_for(5ms);
  auto r = admin("PATCH", "/" + id, R"({"name": "New", "environment": "staging", "color": "blue", "id": "x"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json().at("data");
  EXPECT_EQ(d.at("id").as_string(), id);
  EXPECT_EQ(d.at("name").as_string(), "New");
  EXPECT_EQ(d.at("environment").as_string(), "staging");
  EXPECT_EQ(d.at("bundle_id").as_string(), "com.example.old");  // absent: unchanged
  EXPECT_EQ(d.at("platform").as_string(), "all");
  EXPECT_FALSE(d.as_object().contains("color"));
  EXPECT_NE(d.at("updated_at"), before.at("updated_at"));

  auto cleared = admin("PATCH", "/" + id, R"({"bundle_id": null, "platform": "android"})");
  ASSERT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.json().at("data").at("bundle_id").is_null());
  EXPECT_EQ(cleared.json().at("data").at("platform").as_string(), "android");

  for (const char* bad : {R"({"platform": "windows"})", R"({"platform": null})", R"({"name": ""})",
                          R"({"name": "ok", "platform": "tv"})"}) {
    auto res = admin("PATCH", "/" + id, bad);
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_EQ(error_code(res), "INVALID_INPUT");
  }
  EXPECT_EQ(admin("GET", "/" + id).json().at("data").at("name").as_string(), "New");  // nothing half-written
  EXPECT_EQ(admin("PATCH", "/prj_missing", "{}").status, 404);
}

TEST_P(Projects, DeleteRemovesTheRecordAndItsKeysButKeepsStoredData) {
  serve();
  auto d = create();
  std::string id = str(d.at("project").at("id"));
  std::string client_key = str(d.at("api_keys").at("client").at("key"));
  ASSERT_TRUE(reaches(id, "active"));
  ASSERT_EQ(call("GET", "/stepkit/client", client_key).status, 200);  // cached as valid

  auto r = admin("DELETE", "/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("data").at("deleted"), json::value(true));
  EXPECT_EQ(admin("GET", "/" + id).status, 404);
  EXPECT_EQ(admin("DELETE", "/" + id).status, 404);
  EXPECT_TRUE(admin("GET", "").json().at("data").as_array().empty());
  auto refused = call("GET", "/stepkit/client", client_key);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 1);  // another plugin's data for the project stays
}

TEST_P(Projects, ProjectKeysAreShownOnceStoredHashedAndRevocable) {
  serve();
  auto d = create();
  std::string id = str(d.at("project").at("id"));
  auto minted = admin("POST", "/" + id + "/api-keys", R"({"key_type": "server", "environment": "production"})");
  ASSERT_EQ(minted.status, 201) << minted.body;
  auto m = minted.json().at("data");
  std::string key = str(m.at("key"));
  EXPECT_EQ(key.rfind("amb_server_sk_", 0), 0u);
  EXPECT_EQ(str(m.at("prefix")), key.substr(0, 22));
  EXPECT_EQ(m.at("type").as_string(), "server");
  EXPECT_EQ(m.at("environment").as_string(), "production");

  for (const char* bad : {R"({"key_type": "admin", "environment": "production"})",
                          R"({"key_type": "client", "environment": "staging"})", R"({"key_type": "client"})",
                          R"({"environment": "development"})", "{}"}) {
    auto res = admin("POST", "/" + id + "/api-keys", bad);
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_EQ(error_code(res), "INVALID_INPUT");
  }
  EXPECT_EQ(admin("POST", "/prj_missing/api-keys", R"({"key_type": "client", "environment": "production"})").status,
            404);

  // The key authenticates as a project principal for the project it belongs to.
  auto who = call("GET", "/stepkit/client", key);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json().at("data").at("id").as_string(), id);
  EXPECT_EQ(who.json().at("data").at("tenant_id").as_string(), owner.tenant_id);
  EXPECT_EQ(who.json().at("data").at("key_type").as_string(), "server");
  std::string key_id = str(who.json().at("data").at("credential_id"));
  std::string unknown = key.substr(0, 45) + (key.back() == '0' ? "1" : "0");  // one character off
  EXPECT_EQ(call("GET", "/stepkit/client", unknown).status, 401);
  EXPECT_EQ(call("GET", "/stepkit/client", "amb_client_ck_short").status, 401);     // malformed
  EXPECT_EQ(call("GET", "/v1/admin/projects", key).status, 403);                    // no admin scopes

  // Details list the key by prefix, never the key or its hash; last_used_at arrives in a batch.
  auto details = admin("GET", "/" + id);
  EXPECT_EQ(details.body.find(key.substr(22)), std::string::npos);
  EXPECT_EQ(details.body.find("hash"), std::string::npos);
  json::object listed;
  ASSERT_TRUE(eventually([&] {
    listed = key_listed(id, key_id);
    return !listed.empty() && listed.at("last_used_at").is_string();
  }));
  EXPECT_EQ(listed.at("key_prefix").as_string(), key.substr(0, 22));
  EXPECT_EQ(listed.at("key_type").as_string(), "server");
  EXPECT_EQ(listed.at("environment").as_string(), "production");
  EXPECT_EQ(listed.at("is_active"), json::value(true));
  EXPECT_TRUE(listed.at("created_at").is_string());
  EXPECT_FALSE(listed.contains("key"));

  // Revoke: the next request with the key is refused in this process at once.
  auto revoked = admin("DELETE", "/" + id + "/api-keys/" + key_id);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json().at("data").at("revoked"), json::value(true));
  auto refused = call("GET", "/stepkit/client", key);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json().at("error").at("details").at("reason").as_string(), "revoked");
  EXPECT_EQ(key_listed(id, key_id).at("is_active"), json::value(false));
  EXPECT_EQ(admin("DELETE", "/" + id + "/api-keys/pk_unknown").status, 404);
  EXPECT_EQ(call("GET", "/stepkit/client", str(d.at("api_keys").at("client").at("key"))).status, 200);

  // Nothing secret in the log, and on SQLite not in the database file either.
  EXPECT_EQ(server->log().find(key.substr(14)), std::string::npos);
  if (GetParam() == Backend::sqlite) {
    server.reset();  // checkpoints the WAL into the file
    EXPECT_EQ(file_bytes(dir.path() / "e2e.db").find(key.substr(14)), std::string::npos);
  }
}

TEST_P(Projects, AFailedStepMarksTheProjectFailedAndReprovisionMakesItActive) {
  serve({{"testing", {{"fail_step", "step-kit.mark"}, {"fail_times", 1}}}});
  std::string id = str(create().at("project").at("id"));
  ASSERT_TRUE(reaches(id, "failed"));
  auto s = provisioning(id);
  EXPECT_EQ(s.at("error").at("step").as_string(), "step-kit.mark");
  EXPECT_NE(str(s.at("error").at("message")).find("fault injected"), std::string::npos);
  EXPECT_TRUE(s.at("provisioned_at").is_null());
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 0);  // the failed step's writes were rolled back

  auto r = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json().at("data");
  EXPECT_EQ(d.at("projectId").as_string(), id);
  EXPECT_EQ(d.at("status").as_string(), "provisioning");
  EXPECT_TRUE(std::regex_match(str(d.at("job_id")), std::regex("reprovision-" + id + "-[0-9]{13}")))
      << d.at("job_id");
  ASSERT_TRUE(reaches(id, "active"));
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 1);
  EXPECT_TRUE(provisioning(id).at("provisioned_at").is_string());
  EXPECT_FALSE(provisioning(id).contains("error"));

  auto again = admin("POST", "/" + id + "/reprovision");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_code(again), "ALREADY_ACTIVE");
  EXPECT_EQ(again.json().at("error").at("details").at("current_status").as_string(), "active");
}

TEST_P(Projects, ReprovisionCollapsesRepeatsAndRefusesWhileInProgressOrArchived) {
  // Jobs off: provisioning jobs stay queued, so "in progress" lasts as long as the test needs.
  serve({{"auto_provision", false}, {"reprovision_collapse_ms", 500}}, {{"enabled", false}});
  std::string id = str(create().at("project").at("id"));
  auto first = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string job = str(first.json().at("data").at("job_id"));
  EXPECT_FALSE(first.json().at("data").as_object().contains("collapsed"));

  auto repeat = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(repeat.status, 200) << repeat.body;
  EXPECT_EQ(repeat.json().at("data").at("job_id").as_string(), job);
  EXPECT_EQ(repeat.json().at("data").at("collapsed"), json::value(true));

  std::this_thread::sleep_for(600ms);  // past the collapse window, the job still queued
  auto busy = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(error_code(busy), "PROVISIONING_IN_PROGRESS");
  auto details = busy.json().at("error").at("details");
  EXPECT_EQ(details.at("job_id").as_string(), job);
  EXPECT_EQ(details.at("status").as_string(), "queued");
  EXPECT_EQ(details.at("current_status").as_string(), "provisioning");
  EXPECT_EQ(provisioning(id).at("status").as_string(), "provisioning");

  // Archive: keys stop, reprovision is refused, unarchive brings both back.
  auto archived = admin("POST", "/" + id + "/archive");
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json().at("data").at("archived"), json::value(true));
  EXPECT_EQ(admin("POST", "/" + id + "/archive").status, 200);  // idempotent
  auto refused = admin("POST", "/" + id + "/reprovision");
  ASSERT_EQ(refused.status, 409);
  EXPECT_EQ(error_code(refused), "ARCHIVED");
  EXPECT_EQ(refused.json().at("error").at("details").at("current_status").as_string(), "provisioning");
  auto mint = admin("POST", "/" + id + "/api-keys", R"({"key_type": "client", "environment": "production"})");
  EXPECT_EQ(mint.status, 409);
  EXPECT_EQ(error_code(mint), "ARCHIVED");
  auto unarchived = admin("POST", "/" + id + "/unarchive");
  ASSERT_EQ(unarchived.status, 200);
  EXPECT_EQ(unarchived.json().at("data").at("archived"), json::value(false));

  // A process that runs jobs finishes the queued one; the stale repeats changed nothing.
  serve({{"auto_provision", false}}, {}, "with-jobs.json");
  ASSERT_TRUE(reaches(id, "active"));
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 1);
  EXPECT_EQ(step_kit(id).at("reprovision_jobs").as_int64(), 1);
}

TEST_P(Projects, ArchivedProjectsKeysAreRefusedAndTheServiceChecksOwnership) {
  serve();
  auto d = create();
  std::string id = str(d.at("project").at("id"));
  std::string client_key = str(d.at("api_keys").at("client").at("key"));
  ASSERT_TRUE(reaches(id, "active"));

  auto resolved = call("GET", "/stepkit/resolve/" + id, owner.key);
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(resolved.json().at("data").at("status").as_string(), "active");
  EXPECT_EQ(resolved.json().at("data").at("region").as_string(), "eu-test-1");
  auto b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  EXPECT_EQ(call("GET", "/stepkit/resolve/" + id, b.key).status, 404);
  EXPECT_EQ(call("GET", "/stepkit/resolve/prj_missing", owner.key).status, 404);
  auto not_a_project_key = call("GET", "/stepkit/client", owner.key);
  EXPECT_EQ(not_a_project_key.status, 401);

  ASSERT_EQ(call("GET", "/stepkit/client", client_key).status, 200);
  ASSERT_EQ(admin("POST", "/" + id + "/archive").status, 200);
  auto refused = call("GET", "/stepkit/client", client_key);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json().at("error").at("details").at("reason").as_string(), "project_archived");
  EXPECT_EQ(call("GET", "/stepkit/resolve/" + id, owner.key).json().at("data").at("archived"), json::value(true));
  ASSERT_EQ(admin("POST", "/" + id + "/unarchive").status, 200);
  EXPECT_EQ(call("GET", "/stepkit/client", client_key).status, 200);
}

TEST_P(Projects, TheFaultSwitchIsRefusedOutsideATestDeployment) {
  auto file = write_config(dir, deployment({{"testing", {{"fail_step", "step-kit.mark"}, {"fail_times", 1}}}}),
                           "faulty.json");
  auto refused = run_ambit({"check", "--config", file});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("AMBIT_TESTING=1"), std::string::npos) << refused.out << refused.err;
  EXPECT_EQ(run_ambit({"check", "--config", file}, {{"AMBIT_TESTING", "1"}}).exit_code, 0);
  // The shipped default deployment carries no fault switch.
  auto shipped = file_bytes(source_dir() / "config/default.json");
  EXPECT_EQ(shipped.find("fail_step"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Db, Projects, ::testing::ValuesIn(test_backends()), backend_param_name);

// Several processes on one PostgreSQL: reprovision serializes across them and
// a revoked key is refused everywhere within a second.
class ProjectsOnPostgres : public Projects {};

TEST_P(ProjectsOnPostgres, ConcurrentReprovisionsInTwoProcessesRunOneJob) {
  serve({{"testing", {{"fail_step", "step-kit.mark"}, {"fail_times", 1}}}});
  ServerProcess other(write_config(dir, deployment({{"testing", {{"fail_step", "step-kit.mark"}, {"fail_times", 1}}}}),
                                   "other.json"),
                      {{"AMBIT_TESTING", "1"}});
  auto d = create();
  std::string id = str(d.at("project").at("id"));
  ASSERT_TRUE(reaches(id, "failed"));

  constexpr int kCalls = 8;
  std::vector<HttpResult> results(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i)
    threads.emplace_back([&, i] {
      std::uint16_t port = i % 2 ? other.port() : server->port();
      results[i] = http(port, "POST", "/v1/admin/projects/" + id + "/reprovision", bearer(owner.key));
    });
  for (auto& t : threads) t.join();
  std::set<std::string> job_ids;
  int ok = 0;
  for (auto& r : results) {
    if (r.status == 200) {
      ++ok;
      job_ids.insert(str(r.json().at("data").at("job_id")));
    } else {
      EXPECT_EQ(r.status, 409) << r.body;
      std::string code = error_code(r);
      EXPECT_TRUE(code == "ALREADY_ACTIVE" || code == "PROVISIONING_IN_PROGRESS") << r.body;
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_EQ(job_ids.size(), 1u);  // every 200 names the same job
  ASSERT_TRUE(reaches(id, "active"));
  EXPECT_EQ(step_kit(id).at("reprovision_jobs").as_int64(), 1);
  EXPECT_EQ(step_kit(id).at("runs").as_int64(), 1);

  // Revocation on one process reaches the other within a second.
  std::string key = str(d.at("api_keys").at("client").at("key"));
  ASSERT_EQ(http(other.port(), "GET", "/stepkit/client", bearer(key)).status, 200);  // cached there
  auto who = http(other.port(), "GET", "/stepkit/client", bearer(key)).json();
  std::string key_id = str(who.at("data").at("credential_id"));
  ASSERT_EQ(admin("DELETE", "/" + id + "/api-keys/" + key_id).status, 200);
  EXPECT_TRUE(eventually([&] { return http(other.port(), "GET", "/stepkit/client", bearer(key)).status == 401; }, 1s));
}

INSTANTIATE_TEST_SUITE_P(Db, ProjectsOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
