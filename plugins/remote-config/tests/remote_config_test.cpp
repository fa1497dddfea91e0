// remote-config through the real binary, on SQLite and PostgreSQL: the admin
// API of seeds/remote-config.txt, segments, evaluation (condition order,
// segment rules with semantic versions, percentage rollouts) and the client
// endpoint's ETags.
#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "remote_config_fixture.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
using remote_config_test::RemoteConfig;
namespace json = boost::json;

TEST_P(RemoteConfig, ProvisioningSeedsSystemSegmentsThatCannotBeChanged) {
  auto r = admin("GET", "/segments");
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, bool> names;
  json::value segments = r.json();
  for (auto& s : segments.at("data").as_array()) names[str(s.at("name"))] = s.at("is_system").as_bool();
  for (const char* name : {"all_users", "ios", "android", "web"}) EXPECT_TRUE(names[name]) << name;
  auto del = admin("DELETE", "/segments/ios");
  EXPECT_EQ(del.status, 409);
  EXPECT_EQ(error_code(del), "SYSTEM_SEGMENT");
  EXPECT_EQ(error_code(admin("PATCH", "/segments/web", R"({"rules": []})")), "SYSTEM_SEGMENT");
  EXPECT_EQ(admin("DELETE", "/segments/nope").status, 404);
}

TEST_P(RemoteConfig, UpsertListPatchAndDeleteFollowTheSeed) {
  auto row = set(R"({"key": "welcome", "value": "hi", "description": "greeting"})");
  EXPECT_EQ(row.at("key").as_string(), "welcome");
  EXPECT_EQ(row.at("value").as_string(), "hi");
  EXPECT_EQ(row.at("value_type").as_string(), "string");  // the default
  EXPECT_EQ(row.at("description").as_string(), "greeting");
  EXPECT_TRUE(row.at("conditions").as_array().empty());
  EXPECT_EQ(row.at("version").as_int64(), 1);
  EXPECT_TRUE(row.at("created_at").is_string());
  EXPECT_TRUE(row.at("updated_at").is_string());

  auto again = set(R"({"key": "welcome", "value": "hello"})");  // upsert: same key, next version
  EXPECT_EQ(again.at("version").as_int64(), 2);
  EXPECT_EQ(again.at("created_at"), row.at("created_at"));
  set(R"({"key": "alpha", "value": 3, "value_type": "number"})");

  auto list = admin("GET", "/config");
  ASSERT_EQ(list.status, 200);
  auto rows = list.json().at("data").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("key").as_string(), "alpha");  // ordered by key
  EXPECT_EQ(rows[1].at("key").as_string(), "welcome");
  std::string etag = list.header("etag");
  EXPECT_FALSE(etag.empty());

  auto described = admin("PATCH", "/config/welcome", R"({"description": null, "unknown": 1})");
  ASSERT_EQ(described.status, 200) << described.body;
  EXPECT_EQ(described.json().at("data").at("version").as_int64(), 2);  // no value: same version
  EXPECT_TRUE(described.json().at("data").at("description").is_null());
  EXPECT_EQ(described.json().at("data").at("value").as_string(), "hello");
  auto revalued = admin("PATCH", "/config/welcome", R"({"value": "hey"})");
  ASSERT_EQ(revalued.status, 200);
  EXPECT_EQ(revalued.json().at("data").at("version").as_int64(), 3);
  EXPECT_NE(admin("GET", "/config").header("etag"), etag);  // every write moves the version hash
  EXPECT_EQ(admin("PATCH", "/config/missing", R"({"value": "x"})").status, 404);
  EXPECT_EQ(error_code(admin("PATCH", "/config/missing", R"({"value": "x"})")), "NOT_FOUND");

  auto deleted = admin("DELETE", "/config/welcome");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json().at("data").at("deleted"), json::value(true));
  EXPECT_EQ(admin("DELETE", "/config/welcome").status, 404);
  EXPECT_EQ(admin("GET", "/config").json().at("data").as_array().size(), 1u);
}

TEST_P(RemoteConfig, BadInputIs400NamingTheField) {
  struct Case {
    std::string body, field;
  };
  for (const Case& c : {
           Case{R"({"value": "x"})", "key"},
           Case{R"({"key": "9starts-with-digit", "value": "x"})", "key"},
           Case{R"({"key": "has space", "value": "x"})", "key"},
           Case{R"({"key": ")" + std::string(129, 'k') + R"(", "value": "x"})", "key"},
           Case{R"({"key": "k"})", "value"},
           Case{R"({"key": "k", "value": 1})", "value"},
           Case{R"({"key": "k", "value": "1", "value_type": "number"})", "value"},
           Case{R"({"key": "k", "value": "true", "value_type": "boolean"})", "value"},
           Case{R"({"key": "k", "value": 1, "value_type": "integer"})", "value_type"},
           Case{R"({"key": "k", "value": "x", "conditions": {}})", "conditions"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"value": "y"}]})", "conditions[0]"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"segment": "ios"}]})", "conditions[0].value"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"segment": "ios", "value": 2}]})", "conditions[0].value"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"percentage": -1, "value": "y"}]})",
                "conditions[0].percentage"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"percentage": 100.5, "value": "y"}]})",
                "conditions[0].percentage"},
           Case{R"({"key": "k", "value": "x", "conditions": [{"segment": "ios", "value": "a"}, {"segment": "martians", "value": "b"}]})",
                "conditions[1].segment"},
       }) {
    auto r = admin("POST", "/config", c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
    if (r.status == 400) {
      EXPECT_EQ(error_code(r), "INVALID_INPUT");
      EXPECT_EQ(str(r.json().at("error").at("details").at("field")), c.field) << c.body;
    }
  }
  // The edges pass: 0 and 100 percent, any JSON for value_type json.
  set(R"({"key": "k", "value": {"a": [1, 2]}, "value_type": "json",
          "conditions": [{"percentage": 0, "value": null}, {"percentage": 100, "value": [3]}]})");
  EXPECT_EQ(admin("PATCH", "/config/k", R"({"conditions": [{"segment": "nope", "value": 1}]})").status, 400);
  EXPECT_TRUE(admin("GET", "/config").json().at("data").as_array().size() == 1);  // nothing half-written
}

TEST_P(RemoteConfig, TheClientEndpointEvaluatesAndAnswers304WhileNothingChanged) {
  set(R"({"key": "banner", "value": "default",
          "conditions": [{"name": "ios users", "segment": "ios", "value": "for ios"},
                         {"segment": "all_users", "value": "everyone else"}]})");
  set(R"({"key": "limit", "value": 10, "value_type": "number"})");
  auto r = client("?platform=iOS&user_id=u1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json().at("data");
  EXPECT_EQ(d.at("config").at("banner").as_string(), "for ios");  // first match wins; platform is case-blind
  EXPECT_EQ(d.at("config").at("limit").as_int64(), 10);
  std::string etag = r.header("etag");
  EXPECT_EQ(etag, "\"" + str(d.at("etag")) + "\"");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_EQ(config_for("?platform=android").at("banner").as_string(), "everyone else");

  auto same = client("?platform=ios&user_id=u1", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.header("etag"), etag);
  EXPECT_EQ(client("?platform=ios&user_id=u1", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(client("?platform=ios&user_id=u1", {{"If-None-Match", "\"other\""}}).status, 200);

  // A change this context cannot see keeps the ETag; one it can see moves it.
  set(R"({"key": "banner", "value": "default",
          "conditions": [{"name": "ios users", "segment": "ios", "value": "for ios"},
                         {"segment": "android", "value": "for android"},
                         {"segment": "all_users", "value": "everyone else"}]})");
  EXPECT_EQ(client("?platform=ios&user_id=u1", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(config_for("?platform=android").at("banner").as_string(), "for android");
  ASSERT_EQ(admin("PATCH", "/config/limit", R"({"value": 20})").status, 200);
  auto changed = client("?platform=ios&user_id=u1", {{"If-None-Match", etag}});
  ASSERT_EQ(changed.status, 200);
  EXPECT_EQ(changed.json().at("data").at("config").at("limit").as_int64(), 20);
  EXPECT_NE(changed.header("etag"), etag);
}

TEST_P(RemoteConfig, CustomSegmentsMatchOnVersionsCountriesUsersAndAttributes) {
  auto seg = admin("POST", "/segments", R"({"name": "eu-modern", "description": "new app in the EU", "match": "all",
      "rules": [{"attribute": "app_version", "operator": "semver_gte", "value": "2.1.0"},
                {"attribute": "country", "operator": "in", "values": ["de", "FR"]}]})");
  ASSERT_EQ(seg.status, 201) << seg.body;
  EXPECT_EQ(seg.json().at("data").at("is_system"), json::value(false));
  EXPECT_EQ(admin("POST", "/segments", R"({"name": "eu-modern", "rules": []})").status, 409);
  ASSERT_EQ(admin("POST", "/segments", R"({"name": "staff", "match": "any",
      "rules": [{"attribute": "user_id", "operator": "in", "values": ["alice", "bob"]},
                {"attribute": "attr.plan", "operator": "eq", "value": "internal"}]})").status, 201);
  for (const char* bad : {R"({"name": "Bad Name", "rules": []})", R"({"name": "x"})",
                          R"({"name": "x", "rules": [{"attribute": "shoe_size", "operator": "eq", "value": "9"}]})",
                          R"({"name": "x", "rules": [{"attribute": "app_version", "operator": "semver_gt", "value": "two"}]})",
                          R"({"name": "x", "rules": [{"attribute": "country", "operator": "like", "value": "D"}]})",
                          R"({"name": "x", "match": "most", "rules": []})"})
    EXPECT_EQ(admin("POST", "/segments", bad).status, 400) << bad;

  set(R"({"key": "theme", "value": "plain", "conditions": [
          {"segment": "staff", "value": "staff"}, {"segment": "eu-modern", "value": "eu"}]})");
  EXPECT_EQ(config_for("?app_version=2.1.0&country=DE").at("theme").as_string(), "eu");
  EXPECT_EQ(config_for("?app_version=2.10.0&country=fr").at("theme").as_string(), "eu");  // 2.10 > 2.1
  EXPECT_EQ(config_for("?app_version=2.1.0-beta.1&country=DE").at("theme").as_string(), "plain");  // pre-release < release
  EXPECT_EQ(config_for("?app_version=2.0.9&country=DE").at("theme").as_string(), "plain");
  EXPECT_EQ(config_for("?app_version=3&country=US").at("theme").as_string(), "plain");
  EXPECT_EQ(config_for("?country=DE").at("theme").as_string(), "plain");  // an absent attribute never matches
  EXPECT_EQ(config_for("?app_version=garbage&country=DE").at("theme").as_string(), "plain");
  EXPECT_EQ(config_for("?user_id=bob&app_version=2.2.0&country=DE").at("theme").as_string(), "staff");  // order
  EXPECT_EQ(config_for("?attr.plan=internal").at("theme").as_string(), "staff");

  auto in_use = admin("DELETE", "/segments/staff");
  EXPECT_EQ(in_use.status, 409);
  EXPECT_EQ(error_code(in_use), "SEGMENT_IN_USE");
  EXPECT_EQ(in_use.json().at("error").at("details").at("keys").at(0).as_string(), "theme");
  auto patched = admin("PATCH", "/segments/eu-modern", R"({"rules": [{"attribute": "country", "operator": "eq", "value": "US"}]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(config_for("?country=us").at("theme").as_string(), "eu");  // the segment change is live
  ASSERT_EQ(admin("PATCH", "/config/theme", R"({"conditions": []})").status, 200);
  EXPECT_EQ(admin("DELETE", "/segments/staff").status, 200);
}

TEST_P(RemoteConfig, PercentageRolloutsAreStickyMonotonicAndEven) {
  set(R"({"key": "new_ui", "value": false, "value_type": "boolean",
          "conditions": [{"percentage": 30, "value": true}]})");
  HttpConnection conn(server->port());
  auto in_rollout = [&](int user) {
    auto r = conn.request("GET", "/v1/client/config?user_id=user-" + std::to_string(user), bearer(client_key));
    return r.json().at("data").at("config").at("new_ui").as_bool();
  };
  constexpr int kUsers = 10000;
  std::vector<bool> at30(kUsers);
  int count = 0;
  for (int u = 0; u < kUsers; ++u) count += (at30[static_cast<std::size_t>(u)] = in_rollout(u)) ? 1 : 0;
  EXPECT_NEAR(count / double(kUsers), 0.30, 0.02) << count;
  for (int u = 0; u < 200; ++u) EXPECT_EQ(in_rollout(u), at30[static_cast<std::size_t>(u)]) << "user-" << u;  // sticky

  ASSERT_EQ(admin("PATCH", "/config/new_ui", R"({"conditions": [{"percentage": 40, "value": true}]})").status, 200);
  int count40 = 0;
  for (int u = 0; u < kUsers; ++u) {
    bool now_in = in_rollout(u);
    count40 += now_in ? 1 : 0;
    if (at30[static_cast<std::size_t>(u)] && !now_in) ADD_FAILURE() << "user-" << u << " left the rollout";
  }
  EXPECT_NEAR(count40 / double(kUsers), 0.40, 0.02);
  EXPECT_EQ(config_for("").at("new_ui"), json::value(false));  // no user_id: a percentage never matches
}

TEST_P(RemoteConfig, ProjectsAndTenantsAreIsolated) {
  set(R"({"key": "secret_flag", "value": "A only"})");
  auto [other_project, other_key] = create_project(owner.key);
  auto r = http(server->port(), "POST", "/v1/admin/projects/" + other_project + "/config", bearer(owner.key),
                R"({"key": "b_flag", "value": "B only"})");
  ASSERT_EQ(r.status, 201);
  auto a = config_for();
  EXPECT_TRUE(a.contains("secret_flag"));
  EXPECT_FALSE(a.contains("b_flag"));
  auto b = client("", {}, other_key).json().at("data").at("config").as_object();
  EXPECT_TRUE(b.contains("b_flag"));
  EXPECT_FALSE(b.contains("secret_flag"));

  auto tenant_b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  for (auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/config"}, {"PATCH", "/config/secret_flag"}, {"DELETE", "/config/secret_flag"},
           {"GET", "/segments"}, {"POST", "/segments"}}) {
    auto res = admin(method, path, R"({"value": "stolen", "name": "x", "rules": []})", tenant_b.key);
    EXPECT_EQ(res.status, 404) << method << " " << path << ": " << res.body;
  }
  EXPECT_EQ(admin("POST", "/config", R"({"key": "x", "value": "y"})", tenant_b.key).status, 404);
  EXPECT_EQ(client("", {}, owner.key).status, 401);  // a tenant key is not a project key
  EXPECT_EQ(config_for().at("secret_flag").as_string(), "A only");
}

TEST_P(RemoteConfig, RevokedKeysAndInactiveProjectsAreRefused) {
  // A revoked key: 401 at once.
  std::string key_id;
  json::value details = admin("GET", "").json();
  for (auto& k : details.at("data").at("api_keys").as_array())
    if (k.at("key_type").as_string() == "client") key_id = str(k.at("id"));
  ASSERT_EQ(client().status, 200);
  ASSERT_EQ(admin("DELETE", "/api-keys/" + key_id).status, 200);
  auto revoked = client();
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.json().at("error").at("details").at("reason").as_string(), "revoked");

  // A project still provisioning (this process runs no jobs): 503 PROJECT_NOT_ACTIVE.
  // The server with jobs stops first: on a shared database it would provision the project.
  server.reset();
  ServerProcess no_jobs(write_config(dir, deployment({{"enabled", false}}), "no-jobs.json"));
  auto created = http(no_jobs.port(), "POST", "/v1/admin/projects", bearer(owner.key), R"({"name": "Later"})");
  ASSERT_EQ(created.status, 201);
  std::string key = str(created.json().at("data").at("api_keys").at("client").at("key"));
  auto waiting = client("", {}, key, no_jobs.port());
  EXPECT_EQ(waiting.status, 503);
  EXPECT_EQ(error_code(waiting), "PROJECT_NOT_ACTIVE");
  EXPECT_EQ(waiting.json().at("error").at("details").at("status").as_string(), "provisioning");
}

TEST_P(RemoteConfig, LimitsOnKeysValuesAndQueryStrings) {
  server.reset();
  server = std::make_unique<ServerProcess>(
      write_config(dir, deployment({}, {{"max_keys", 2}, {"max_value_bytes", 16}}), "limits.json"));
  set(R"({"key": "a", "value": "12345678901234"})");  // 16 bytes serialized, quotes included
  auto big = admin("POST", "/config", R"({"key": "b", "value": "123456789012345"})");
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(str(big.json().at("error").at("details").at("field")), "value");
  auto big_condition = admin("POST", "/config", R"({"key": "b", "value": "x",
      "conditions": [{"segment": "ios", "value": "123456789012345"}]})");
  EXPECT_EQ(str(big_condition.json().at("error").at("details").at("field")), "conditions[0].value");
  set(R"({"key": "b", "value": "x"})");
  auto third = admin("POST", "/config", R"({"key": "c", "value": "x"})");
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(error_code(third), "KEY_LIMIT");
  set(R"({"key": "a", "value": "y"})");  // an existing key can still change

  auto long_query = client("?user_id=" + std::string(257, 'u'));
  EXPECT_EQ(long_query.status, 400);
  EXPECT_EQ(error_code(long_query), "INVALID_INPUT");
  EXPECT_EQ(client("?user_id=" + std::string(256, 'u')).status, 200);
}

TEST_P(RemoteConfig, ProjectsProvisionedBeforeThePluginGetSystemSegmentsOnTheirFirstWrite) {
  server.reset();
  server = std::make_unique<ServerProcess>(write_config(dir, deployment({}, {}, false), "without.json"));
  auto [older, older_key] = create_project(owner.key);
  server.reset();
  server = std::make_unique<ServerProcess>(config_file);
  auto r = http(server->port(), "POST", "/v1/admin/projects/" + older + "/config", bearer(owner.key),
                R"({"key": "banner", "value": "x", "conditions": [{"segment": "ios", "value": "y"}]})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto segments = http(server->port(), "GET", "/v1/admin/projects/" + older + "/segments", bearer(owner.key)).json();
  EXPECT_EQ(segments.at("data").as_array().size(), 4u);
  auto config = client("?platform=ios", {}, older_key).json();
  EXPECT_EQ(config.at("data").at("config").at("banner").as_string(), "y");
}

// --- config versions ------------------------------------------------------------------------------

namespace {
/// The versions of a page, newest first.
std::vector<json::object> versions_of(const HttpResult& r) {
  std::vector<json::object> out;
  json::value doc = r.json();
  for (auto& v : doc.at("data").as_array()) out.push_back(v.as_object());
  return out;
}
std::string etag_of(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }
}  // namespace

TEST_P(RemoteConfig, EveryWriteIsAVersionWithWhoMadeItAndWhatChanged) {
  // Provisioning seeded the system segments: version 1, by the server itself.
  auto first = versions_of(admin("GET", "/config/versions"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].at("version").as_int64(), 1);
  EXPECT_EQ(first[0].at("operation").as_string(), "projects.provision");
  EXPECT_TRUE(first[0].at("principal").at("user_id").is_null());

  auto created = admin("POST", "/config", R"({"key": "welcome", "value": "hi"})");
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(created.header("etag"), etag_of(2));
  ASSERT_EQ(admin("PATCH", "/config/welcome", R"({"value": "hello"})").header("etag"), etag_of(3));
  ASSERT_EQ(admin("POST", "/segments", R"({"name": "beta", "rules": []})").header("etag"), etag_of(4));
  ASSERT_EQ(admin("DELETE", "/config/welcome").header("etag"), etag_of(5));
  EXPECT_EQ(admin("PATCH", "/config/nope", R"({"value": "x"})").status, 404);  // refused: no version
  EXPECT_EQ(admin("GET", "/config").header("etag"), etag_of(5));

  auto all = versions_of(admin("GET", "/config/versions"));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].at("version").as_int64(), 5);  // newest first
  EXPECT_EQ(all[0].at("operation").as_string(), "config.delete");
  EXPECT_EQ(all[0].at("principal").at("user_id").as_string(), owner.user_id);
  EXPECT_EQ(all[0].at("principal").at("credential_type").as_string(), "api_key");
  EXPECT_EQ(json::serialize(all[0].at("changes")), R"([{"kind":"key","name":"welcome","change":"removed"}])");
  EXPECT_EQ(json::serialize(all[1].at("changes")), R"([{"kind":"segment","name":"beta","change":"added"}])");
  EXPECT_EQ(json::serialize(all[3].at("changes")), R"([{"kind":"key","name":"welcome","change":"added"}])");

  // One version: each change before and after, and the whole config as it stood.
  auto patched = admin("GET", "/config/versions/3");
  ASSERT_EQ(patched.status, 200) << patched.body;
  json::value v3 = patched.json();
  const auto& change = v3.at("data").at("changes").at(0);
  EXPECT_EQ(change.at("change").as_string(), "changed");
  EXPECT_EQ(change.at("before").at("value").as_string(), "hi");
  EXPECT_EQ(change.at("after").at("value").as_string(), "hello");
  const auto& keys = v3.at("data").at("config").at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].at("value").as_string(), "hello");
  EXPECT_EQ(v3.at("data").at("config").at("segments").as_array().size(), 4u);  // beta came later
  EXPECT_EQ(admin("GET", "/config/versions/99").status, 404);

  // Pages, newest first.
  auto page1 = admin("GET", "/config/versions?limit=2");
  json::value p1 = page1.json();
  ASSERT_EQ(p1.at("data").as_array().size(), 2u);
  auto page2 = admin("GET", "/config/versions?limit=2&cursor=" + str(p1.at("next_cursor")));
  auto second = versions_of(page2);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].at("version").as_int64(), 3);
}

TEST_P(RemoteConfig, RollbackMakesAnOlderVersionCurrentAsANewVersion) {
  set(R"({"key": "a", "value": 1, "value_type": "number"})");
  set(R"({"key": "b", "value": "two", "conditions": [{"segment": "ios", "value": "two-ios"}]})");
  std::int64_t good = versions_of(admin("GET", "/config/versions?limit=1"))[0].at("version").as_int64();
  std::string good_config = json::serialize(admin("GET", "/config").json().at("data"));
  // A bad change: a changed, b removed, c added.
  ASSERT_EQ(admin("PATCH", "/config/a", R"({"value": 5})").status, 200);
  ASSERT_EQ(admin("DELETE", "/config/b").status, 200);
  set(R"({"key": "c", "value": "new"})");
  EXPECT_EQ(config_for("?platform=ios").at("a").as_int64(), 5);

  auto rolled = admin("POST", "/config/versions/" + std::to_string(good) + "/rollback");
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  json::value r = rolled.json();
  EXPECT_EQ(r.at("data").at("version").as_int64(), good + 4);
  EXPECT_EQ(r.at("data").at("restored").as_int64(), good);
  EXPECT_EQ(r.at("data").at("operation").as_string(), "config_versions.rollback");
  EXPECT_EQ(rolled.header("etag"), etag_of(good + 4));
  EXPECT_EQ(r.at("data").at("changes").as_array().size(), 3u);

  // The content is the good version's; each key's own version moved on like any write.
  auto now = admin("GET", "/config").json().at("data").as_array();
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].at("key").as_string(), "a");
  EXPECT_EQ(now[0].at("value").as_int64(), 1);
  EXPECT_EQ(now[1].at("key").as_string(), "b");
  EXPECT_EQ(now[1].at("conditions").at(0).at("value").as_string(), "two-ios");
  EXPECT_NE(json::serialize(now), good_config);  // versions and times differ...
  auto ios = config_for("?platform=ios");  // ...and clients get the good values on their next fetch
  EXPECT_EQ(ios.at("a").as_int64(), 1);
  EXPECT_EQ(ios.at("b").as_string(), "two-ios");
  EXPECT_FALSE(ios.contains("c"));

  // Rolling back to what is current writes nothing; an unknown version is 404.
  auto again = admin("POST", "/config/versions/" + std::to_string(good + 4) + "/rollback");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("data").at("version").as_int64(), good + 4);
  EXPECT_EQ(admin("POST", "/config/versions/999/rollback").status, 404);
  EXPECT_EQ(versions_of(admin("GET", "/config/versions?limit=1"))[0].at("version").as_int64(), good + 4);
}

TEST_P(RemoteConfig, IfMatchWritesOnlyOverTheVersionRead) {
  auto list = admin("GET", "/config");
  std::string read = list.header("etag");
  ASSERT_EQ(read, etag_of(1));
  auto with = [&](const std::string& method, const std::string& path, const std::string& body, const std::string& tag) {
    Headers h = bearer(owner.key);
    h.emplace_back("If-Match", tag);
    return http(server->port(), method, "/v1/admin/projects/" + project + path, h, body);
  };
  auto ok = with("POST", "/config", R"({"key": "k", "value": "mine"})", read);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.header("etag"), etag_of(2));

  // Someone who read version 1 writes after: 412, the current version in details, nothing written.
  auto before = db->row_counts();
  auto stale = with("POST", "/config", R"({"key": "k", "value": "theirs"})", read);
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(error_code(stale), "VERSION_CONFLICT");
  EXPECT_EQ(stale.json().at("error").at("details").at("current_version").as_int64(), 2);
  for (auto& [path, method, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/config/k", "PATCH", R"({"value": "theirs"})"},
           {"/config/k", "DELETE", ""},
           {"/segments", "POST", R"({"name": "s", "rules": []})"},
           {"/config/versions/1/rollback", "POST", ""}})
    EXPECT_EQ(with(method, path, body, read).status, 412) << method << " " << path;
  auto after = db->row_counts();
  for (const char* table : {"remote_config_entries", "remote_config_segments", "remote_config_history"})
    EXPECT_EQ(after[table], before[table]) << table;
  EXPECT_EQ(config_for().at("k").as_string(), "mine");

  EXPECT_EQ(with("PATCH", "/config/k", R"({"value": "next"})", etag_of(2)).status, 200);
  EXPECT_EQ(with("PATCH", "/config/k", R"({"value": "any"})", "*").status, 200);
  EXPECT_EQ(admin("PATCH", "/config/k", R"({"value": "no header"})").status, 200);  // as before: no check
}

TEST_P(RemoteConfig, AKeyNamedVersionsIsStillAKey) {
  set(R"({"key": "versions", "value": "x"})");
  EXPECT_EQ(admin("PATCH", "/config/versions", R"({"value": "y"})").status, 200);
  EXPECT_EQ(admin("GET", "/config/versions").status, 200);  // the versions list
  EXPECT_EQ(admin("DELETE", "/config/versions").status, 200);
  EXPECT_EQ(admin("PUT", "/config/versions").status, 405);
}

TEST_P(RemoteConfig, AJobPrunesVersionsBeyondMaxVersions) {
  server.reset();
  config_file = write_config(dir, deployment({{"poll_interval_ms", 50}}, {{"max_versions", 3}}), "pruning.json");
  server = std::make_unique<ServerProcess>(config_file);
  for (int i = 0; i < 8; ++i) set(R"({"key": "k", "value": ")" + std::to_string(i) + R"("})");
  EXPECT_TRUE(eventually([&] { return versions_of(admin("GET", "/config/versions")).size() == 3u; }))
      << admin("GET", "/config/versions").body;
  auto kept = versions_of(admin("GET", "/config/versions"));
  EXPECT_EQ(kept.front().at("version").as_int64(), 9);
  EXPECT_EQ(kept.back().at("version").as_int64(), 7);
  EXPECT_EQ(admin("GET", "/config/versions/6").status, 404);
  EXPECT_EQ(admin("POST", "/config/versions/6/rollback").status, 404);
  auto back = admin("POST", "/config/versions/7/rollback");  // the oldest kept can still be restored
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(config_for().at("k").as_string(), "5");
}

INSTANTIATE_TEST_SUITE_P(Db, RemoteConfig, ::testing::ValuesIn(test_backends()), backend_param_name);

class RemoteConfigOnPostgres : public RemoteConfig {};

TEST_P(RemoteConfigOnPostgres, WritesReachOtherProcessesWithinASecondAndTheHashStaysFresh) {
  ServerProcess other(write_config(dir, deployment(), "other.json"));
  set(R"({"key": "motd", "value": "v1"})");
  ASSERT_EQ(client("", {}, "", other.port()).json().at("data").at("config").at("motd").as_string(), "v1");  // cached
  ASSERT_EQ(admin("PATCH", "/config/motd", R"({"value": "v2"})").status, 200);
  EXPECT_TRUE(eventually(
      [&] { return client("", {}, "", other.port()).json().at("data").at("config").at("motd").as_string() == "v2"; },
      1s));

  // Concurrent writers in two processes: the stored hash is the hash of the final state.
  std::vector<std::thread> writers;
  for (int i = 0; i < 16; ++i)
    writers.emplace_back([&, i] {
      std::uint16_t port = i % 2 ? other.port() : server->port();
      auto r = http(port, "POST", "/v1/admin/projects/" + project + "/config", bearer(owner.key),
                    R"({"key": "k)" + std::to_string(i) + R"(", "value": "x"})");
      EXPECT_EQ(r.status, 201) << r.body;
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(client("", {}, "", other.port()).json().at("data").at("config").as_object().size(), 17u);
  // Every write is one version: numbered without gaps or duplicates, whichever process wrote it.
  auto versions = admin("GET", "/config/versions?limit=300").json();
  std::vector<std::int64_t> numbers;
  for (auto& v : versions.at("data").as_array()) numbers.push_back(v.at("version").as_int64());
  ASSERT_FALSE(numbers.empty());
  for (std::size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], numbers.front() - static_cast<std::int64_t>(i));
  EXPECT_EQ(numbers.back(), 1);
  EXPECT_EQ(admin("GET", "/config").header("etag"), "\"" + std::to_string(numbers.front()) + "\"");
  // The hash kept from each write's changes is the hash of the final state: a second project given the
  // same content one write at a time hashes alike. (Without the lock, a racing write's change is lost.)
  std::string raced = str(versions.at("data").at(0).at("hash"));
  std::string second = create_project(owner.key).first;
  for (int i = 0; i < 16; ++i) {
    auto r = http(server->port(), "POST", "/v1/admin/projects/" + second + "/config", bearer(owner.key),
                  R"({"key": "k)" + std::to_string(i) + R"(", "value": "x"})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // motd as in the first project: set, then changed once (its version 2).
  ASSERT_EQ(http(server->port(), "POST", "/v1/admin/projects/" + second + "/config", bearer(owner.key),
                 R"({"key": "motd", "value": "v1"})").status, 201);
  ASSERT_EQ(http(server->port(), "PATCH", "/v1/admin/projects/" + second + "/config/motd", bearer(owner.key),
                 R"({"value": "v2"})").status, 200);
  auto hash_of = [&](const std::string& id) {
    return str(http(server->port(), "GET", "/v1/admin/projects/" + id + "/config/versions?limit=1", bearer(owner.key))
                   .json().at("data").at(0).at("hash"));
  };
  EXPECT_EQ(hash_of(project), raced);
  EXPECT_EQ(hash_of(second), raced);
}

INSTANTIATE_TEST_SUITE_P(Db, RemoteConfigOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
