// The secrets plugin through the real binary, on SQLite and PostgreSQL: the
// seed's API and rules, encryption at rest (no plaintext in the database, the
// log or a response; tampering detected), master key rotation, and sync to
// the directory and webhook sinks with failure and recovery.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <botan/hex.h>
#include <botan/mac.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "declared_schema.hpp"
#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

/// Every file under `dir`, concatenated (a database directory, a runtime directory).
std::string all_bytes(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file()) out += file_bytes(e.path());
  return out;
}

/// A webhook receiver on a fixed loopback port: records each body and signature, answers 200.
class Receiver {
 public:
  explicit Receiver(std::uint16_t port) : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), port}) {
    thread_ = std::thread([this] {
      while (!stop_) {
        boost::asio::ip::tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stop_) break;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> req;
        boost::beast::http::read(socket, buffer, req, ec);
        if (ec) continue;
        {
          std::lock_guard lock(mu_);
          bodies_.push_back(req.body());
          signatures_.push_back(std::string(req["X-Ambit-Signature"]));
        }
        boost::beast::http::response<boost::beast::http::string_body> res{boost::beast::http::status::ok, 11};
        res.body() = "{}";
        res.prepare_payload();
        boost::beast::http::write(socket, res, ec);
      }
    });
  }
  ~Receiver() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // unblock accept()
    thread_.join();
  }
  std::vector<std::pair<std::string, std::string>> received() {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i < bodies_.size(); ++i) out.emplace_back(bodies_[i], signatures_[i]);
    return out;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, signatures_;
};

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
  auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  mac->set_key(reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
  mac->update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  return Botan::hex_encode(mac->final(), false);
}

/// The declared schema of the `status` body of operation `id`, from the server's /openapi.json.
json::value response_schema(std::uint16_t port, const std::string& id, int status) {
  return declared_response_schema(http(port, "GET", "/openapi.json", {}).json(), id, status);
}

}  // namespace

class Secrets : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    runtime = dir.path() / "data" / "runtime";
    config_file = write_config(dir, deployment());
    owner = bootstrap_owner(config_file);
    ASSERT_FALSE(owner.key.empty());
    serve(config_file);
    project = create_project(owner.key);
  }
  json::object deployment(json::object secrets_config = {}) {
    json::object sc{{"retry_base_ms", 100}, {"retry_max_ms", 400}};
    for (auto& [k, v] : secrets_config) sc[k] = v;
    return e2e_config(dir, db->url(),
                      {json::object{{"name", "auth-apikey"}}, json::object{{"name", "projects"}},
                       json::object{{"name", "secrets"}, {"config", sc}}},
                      {}, {{"poll_interval_ms", 50}});
  }
  void serve(const std::string& file, std::map<std::string, std::string> env = {}) {
    server.reset();
    server = std::make_unique<ServerProcess>(file, std::move(env));
  }
  std::string create_project(const std::string& key) {
    auto r = http(server->port(), "POST", "/v1/admin/projects", bearer(key), R"({"name": "Fns"})");
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = str(r.json().at("data").at("project").at("id"));
    EXPECT_TRUE(eventually([&] {
      return http(server->port(), "GET", "/v1/admin/projects/" + id + "/provisioning-status", bearer(key))
                 .json().at("data").at("status").as_string() == "active";
    }));
    return id;
  }
  HttpResult call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& key = {}) {
    return http(server->port(), method, "/v1/admin/projects/" + project + "/secrets" + path,
                bearer(key.empty() ? owner.key : key), body);
  }
  HttpResult set(const std::string& name, const std::string& value, const std::string& function = {}) {
    json::object body{{"name", name}, {"value", value}};
    if (!function.empty()) body["function"] = function;
    return call("POST", "", json::serialize(body));
  }
  json::array list(const std::string& query = {}) {
    auto r = call("GET", query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("data").as_array();
  }
  bool all_synced() {
    auto rows = list();
    for (auto& r : rows)
      if (r.at("sync_status").as_string() != "synced") return false;
    return !rows.empty();
  }
  std::string runtime_file(const std::string& target) { return file_bytes(runtime / project / (target + ".env")); }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  fs::path runtime;
  std::string config_file;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
  std::string project;
};

TEST_P(Secrets, SetListAndDeleteFollowTheSeed) {
  auto created = set("STRIPE_KEY", "sk_test_123");
  ASSERT_EQ(created.status, 201) << created.body;
  auto d = created.json().at("data").as_object();
  EXPECT_EQ(d.at("name").as_string(), "STRIPE_KEY");
  EXPECT_TRUE(d.at("function").is_null());
  EXPECT_EQ(d.at("version").as_int64(), 1);
  EXPECT_TRUE(d.at("sync_status").is_string());
  EXPECT_TRUE(d.at("last_error").is_null());
  EXPECT_TRUE(d.at("created_at").is_string());
  EXPECT_TRUE(d.at("updated_at").is_string());
  EXPECT_FALSE(d.contains("value"));
  EXPECT_EQ(created.body.find("sk_test_123"), std::string::npos);

  auto rotated = set("STRIPE_KEY", "sk_test_456");
  ASSERT_EQ(rotated.status, 200) << rotated.body;  // a new version of an existing secret
  EXPECT_EQ(rotated.json().at("data").at("version").as_int64(), 2);
  auto scoped = set("STRIPE_KEY", "sk_fn", "billing");
  ASSERT_EQ(scoped.status, 201);
  EXPECT_EQ(scoped.json().at("data").at("function").as_string(), "billing");
  EXPECT_EQ(scoped.json().at("data").at("version").as_int64(), 1);
  ASSERT_EQ(set("OTHER", "x", "mailer").status, 201);

  auto rows = list();
  ASSERT_EQ(rows.size(), 3u);
  for (auto& r : rows) {
    EXPECT_FALSE(r.as_object().contains("value"));
    for (const char* f : {"name", "function", "version", "sync_status", "last_error"}) EXPECT_TRUE(r.as_object().contains(f));
  }
  auto billing = list("?function=billing");
  ASSERT_EQ(billing.size(), 1u);
  EXPECT_EQ(billing[0].at("function").as_string(), "billing");

  ASSERT_EQ(call("DELETE", "/STRIPE_KEY?function=billing").status, 200);
  ASSERT_EQ(call("DELETE", "/STRIPE_KEY?function=billing").status, 200);  // idempotent
  EXPECT_EQ(list().size(), 2u);
  auto deleted = call("DELETE", "/STRIPE_KEY");  // without function: the project-wide one only
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json().at("data").at("deleted"), json::value(true));
  ASSERT_EQ(list().size(), 1u);
  EXPECT_EQ(list()[0].at("name").as_string(), "OTHER");
}

TEST_P(Secrets, RulesRejectBadNamesFunctionsValuesAndReservedBindings) {
  EXPECT_EQ(set("A", "x").status, 201);
  EXPECT_EQ(set("A" + std::string(62, 'B'), "x").status, 201);  // 63 characters
  for (const std::string& bad : {"A" + std::string(63, 'B'), std::string("lower"), std::string("1ABC"),
                                 std::string("_ABC"), std::string("AB-C"), std::string("")}) {
    auto r = set(bad, "x");
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(error_code(r), "INVALID_INPUT");
    EXPECT_EQ(str(r.json().at("error").at("details").at("field")), "name");
  }
  EXPECT_EQ(set("FN", "x", "f" + std::string(57, 'n')).status, 201);  // 58 characters
  for (const std::string& bad : {"f" + std::string(58, 'n'), std::string("Upper"), std::string("9fn"),
                                 std::string("fn.x"), std::string("fn/x")}) {
    auto r = set("FN", "x", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(str(r.json().at("error").at("details").at("field")), "function");
  }
  EXPECT_EQ(set("BIG", std::string(65536, 'v')).status, 201);
  auto too_big = set("BIG", std::string(65537, 'v'));
  EXPECT_EQ(too_big.status, 400);
  EXPECT_EQ(str(too_big.json().at("error").at("details").at("field")), "value");
  EXPECT_EQ(call("POST", "", R"({"name": "NUM", "value": 5})").status, 400);
  for (const char* reserved : {"AMBA_API_URL", "AMBA_AI_GATEWAY_URL", "AMBA_PROJECT_ID", "AMBA_INTERNAL_TOKEN",
                               "EDGE_HEADER_SIGNING_SECRET", "STORAGE", "EDGE_DB_PROXY"}) {
    auto r = set(reserved, "x");
    EXPECT_EQ(r.status, 400) << reserved;
    EXPECT_EQ(error_code(r), "RESERVED_BINDING") << reserved;
  }
  EXPECT_EQ(call("GET", "?function=Bad").status, 400);
  EXPECT_EQ(list("?function=nobody").size(), 0u);
}

// The seed's amba_secrets_get: one secret's metadata, the same row the list
// shows, never the value; 404 when there is no such secret.
TEST_P(Secrets, GetShowsOneSecretsMetadataAndNeverItsValue) {
  ASSERT_EQ(set("STRIPE_KEY", "sk_project_wide").status, 201);
  ASSERT_EQ(set("STRIPE_KEY", "sk_rotated").status, 200);
  ASSERT_EQ(set("STRIPE_KEY", "sk_for_billing", "billing").status, 201);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));

  auto wide = call("GET", "/STRIPE_KEY");
  ASSERT_EQ(wide.status, 200) << wide.body;
  auto row = wide.json().at("data").as_object();
  EXPECT_EQ(str(row.at("name")), "STRIPE_KEY");
  EXPECT_TRUE(row.at("function").is_null());
  EXPECT_EQ(row.at("version").as_int64(), 2);
  EXPECT_EQ(str(row.at("sync_status")), "synced");
  EXPECT_FALSE(row.contains("value"));
  auto billing = call("GET", "/STRIPE_KEY?function=billing");
  ASSERT_EQ(billing.status, 200) << billing.body;
  EXPECT_EQ(str(billing.json().at("data").at("function")), "billing");
  EXPECT_EQ(billing.json().at("data").at("version").as_int64(), 1);
  for (const char* value : {"sk_project_wide", "sk_rotated", "sk_for_billing"}) {
    EXPECT_EQ(wide.body.find(value), std::string::npos);
    EXPECT_EQ(billing.body.find(value), std::string::npos);
  }
  // The very rows of the list.
  auto rows = list();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], wide.json().at("data"));
  EXPECT_EQ(rows[1], billing.json().at("data"));
  // As declared: the operation's output schema, from /openapi.json.
  auto schema = response_schema(server->port(), "secrets.get", 200);
  EXPECT_EQ(schema_mismatch(wide.json(), schema), "");
  EXPECT_EQ(schema_mismatch(billing.json(), schema), "");

  // No such secret: another name, another function, or deleted.
  for (const std::string& path : {std::string("/OTHER_KEY"), std::string("/STRIPE_KEY?function=mailer")}) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 404) << path << " " << r.body;
    EXPECT_EQ(error_code(r), "NOT_FOUND") << path;
  }
  ASSERT_EQ(call("DELETE", "/STRIPE_KEY?function=billing").status, 200);
  EXPECT_EQ(call("GET", "/STRIPE_KEY?function=billing").status, 404);
  EXPECT_EQ(call("GET", "/STRIPE_KEY").status, 200);

  // Bad input names the field.
  for (const std::string& path : {std::string("/lower"), std::string("/STRIPE_KEY?function=Bad")}) {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(error_code(r), "INVALID_INPUT") << path;
    EXPECT_EQ(str(r.json().at("error").at("details").at("field")), path == "/lower" ? "name" : "function") << path;
  }

  // secrets:read is enough; another tenant gets 404, a key without the scope 403.
  auto reader = http(server->port(), "POST", "/v1/api_keys", bearer(owner.key),
                     R"({"name": "reader", "scopes": ["secrets:read"]})");
  ASSERT_EQ(reader.status, 201) << reader.body;
  EXPECT_EQ(call("GET", "/STRIPE_KEY", {}, str(reader.json().at("data").at("key"))).status, 200);
  auto unrelated = http(server->port(), "POST", "/v1/api_keys", bearer(owner.key),
                        R"({"name": "unrelated", "scopes": ["keys:read"]})");
  ASSERT_EQ(unrelated.status, 201) << unrelated.body;
  EXPECT_EQ(call("GET", "/STRIPE_KEY", {}, str(unrelated.json().at("data").at("key"))).status, 403);
  auto b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  EXPECT_EQ(call("GET", "/STRIPE_KEY", {}, b.key).status, 404);
}

// Every route's answer is the shape its operation declares (GET /openapi.json).
TEST_P(Secrets, AnswersMatchTheDeclaredOutputSchemas) {
  auto created = set("SHAPE", "v", "fn");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(schema_mismatch(created.json(), response_schema(server->port(), "secrets.set", 201)), "");
  auto rotated = set("SHAPE", "w", "fn");
  EXPECT_EQ(schema_mismatch(rotated.json(), response_schema(server->port(), "secrets.set", 200)), "");
  auto listed = call("GET", "?limit=1");
  EXPECT_EQ(schema_mismatch(listed.json(), response_schema(server->port(), "secrets.list", 200)), "");
  auto resync = call("POST", "/resync?function=fn");
  ASSERT_EQ(resync.status, 202) << resync.body;
  EXPECT_EQ(schema_mismatch(resync.json(), response_schema(server->port(), "secrets.resync", 202)), "");
  auto deleted = call("DELETE", "/SHAPE?function=fn");
  EXPECT_EQ(schema_mismatch(deleted.json(), response_schema(server->port(), "secrets.delete", 200)), "");
  // And a mismatch is seen: the checker is not vacuous.
  EXPECT_NE(schema_mismatch(deleted.json(), response_schema(server->port(), "secrets.resync", 202)), "");
}

TEST_P(Secrets, SyncWritesTheRuntimeDirectoryAndResyncReapsDeletedBindings) {
  ASSERT_EQ(set("SHARED", "project wide").status, 201);
  ASSERT_EQ(set("MODE", "from project").status, 201);
  ASSERT_EQ(set("MODE", "line1\nline2 \"quoted\"", "api").status, 201);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));  // how fast: scripts/bench secrets_sync

  EXPECT_EQ(runtime_file("_project"), "MODE=\"from project\"\nSHARED=\"project wide\"\n");
  EXPECT_EQ(runtime_file("api"), "MODE=\"line1\\nline2 \\\"quoted\\\"\"\nSHARED=\"project wide\"\n");  // its own wins
  struct stat st {};
  ASSERT_EQ(::stat((runtime / project / "api.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Delete the function's only secret and a project-wide one: gone from the runtime once resynced.
  ASSERT_EQ(call("DELETE", "/MODE?function=api").status, 200);
  ASSERT_EQ(call("DELETE", "/SHARED").status, 200);
  auto resync = call("POST", "/resync");
  ASSERT_EQ(resync.status, 202) << resync.body;
  EXPECT_TRUE(resync.json().at("data").at("job_id").is_string());
  ASSERT_TRUE(eventually([&] { return !fs::exists(runtime / project / "api.env"); }));
  ASSERT_TRUE(eventually([&] { return runtime_file("_project") == "MODE=\"from project\"\n"; }));
  std::string everything = all_bytes(runtime);
  EXPECT_EQ(everything.find("project wide"), std::string::npos);
  EXPECT_EQ(everything.find("line1"), std::string::npos);
}

TEST_P(Secrets, ValuesAreEncryptedAtRestAndTamperingIsReportedNotServed) {
  const std::string plaintext = "PLAINTEXT-7f3a9c-should-never-be-stored";
  ASSERT_EQ(set("TOKEN", plaintext).status, 201);
  ASSERT_EQ(set("OTHER", "another-value-b81e", "worker").status, 201);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));
  EXPECT_EQ(list().size(), 2u);
  EXPECT_EQ(server->log().find(plaintext), std::string::npos);

  // The database holds no plaintext: the SQLite files, or a PostgreSQL dump.
  if (GetParam() == Backend::sqlite) {
    std::string db_files;  // test.db, and its -wal while the server runs
    for (auto& e : fs::directory_iterator(dir.path()))
      if (e.path().filename().string().rfind("test.db", 0) == 0) db_files += file_bytes(e.path());
    server.reset();  // closes the database: the WAL lands in the file
    db_files += file_bytes(dir.path() / "test.db");
    EXPECT_FALSE(db_files.empty());
    EXPECT_EQ(db_files.find(plaintext), std::string::npos);
    serve(config_file);
  } else {
    std::string dump = pg_dump_text(db->url());
    ASSERT_NE(dump.find("secrets_values"), std::string::npos) << dump.substr(0, 500);
    EXPECT_EQ(dump.find(plaintext), std::string::npos);
  }

  // The master key rotates; the values stay readable (the data keys are re-wrapped).
  server.reset();
  auto rotated = run_ambit({"keyring", "rotate", "--config", config_file});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  serve(config_file);
  ASSERT_EQ(call("POST", "/resync").status, 202);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));
  EXPECT_NE(runtime_file("_project").find(plaintext), std::string::npos);

  // A ciphertext moved to another row does not open: the sync reports it and serves nothing new.
  server.reset();  // SQLite: no second writer while the server runs
  db->exec("UPDATE secrets_values SET ciphertext = (SELECT ciphertext FROM secrets_values WHERE name = 'OTHER')"
           " WHERE name = 'TOKEN'");
  serve(config_file);
  ASSERT_EQ(call("POST", "/resync").status, 202);
  json::object token;
  ASSERT_TRUE(eventually([&] {
    for (auto& r : list())
      if (r.at("name").as_string() == "TOKEN") token = r.as_object();
    return token.at("sync_status").as_string() == "sync_failed_retrying";
  }));
  EXPECT_NE(str(token.at("last_error")).find("could not be decrypted"), std::string::npos) << token;
  EXPECT_EQ(runtime_file("_project").find("another-value-b81e"), std::string::npos);
}

TEST_P(Secrets, TheWebhookSinkSignsBundlesAndRecoversWhenTheReceiverComesBack) {
  std::uint16_t port = free_port();
  auto file = write_config(dir,
                           deployment({{"sink", {{"type", "webhook"},
                                                 {"url", "http://127.0.0.1:" + std::to_string(port) + "/hook"},
                                                 {"secret_env", "TEST_WEBHOOK_KEY"},
                                                 {"timeout_ms", 500}}}}),
                           "webhook.json");
  serve(file, {{"TEST_WEBHOOK_KEY", "hook-signing-key"}});
  ASSERT_EQ(set("API_TOKEN", "tok-123").status, 201);
  json::object row;
  ASSERT_TRUE(eventually([&] {  // nothing listens yet
    row = list()[0].as_object();
    return row.at("sync_status").as_string() == "sync_failed_retrying";
  }));
  EXPECT_EQ(str(row.at("last_error")), "the webhook did not answer") << row;  // no host:port for tenants

  Receiver receiver(port);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));
  EXPECT_TRUE(list()[0].at("last_error").is_null());
  std::string body, signature;  // the project-wide bundle (a reap request follows it)
  for (auto& [b, sig] : receiver.received())
    if (json::parse(b).as_object().contains("secrets")) std::tie(body, signature) = std::tie(b, sig);
  ASSERT_FALSE(body.empty());
  auto bundle = json::parse(body);
  EXPECT_EQ(bundle.at("project_id").as_string(), project);
  EXPECT_TRUE(bundle.at("function").is_null());
  EXPECT_EQ(bundle.at("secrets").at("API_TOKEN").as_string(), "tok-123");
  EXPECT_EQ(signature, "sha256=" + hmac_sha256_hex("hook-signing-key", body));
}

TEST_P(Secrets, ThePagesOfTheListWalkEverySecretOnceByFunctionThenName) {
  for (const char* name : {"B_KEY", "A_KEY", "C_KEY"}) ASSERT_EQ(set(name, "v").status, 201);
  for (const char* name : {"Z_KEY", "A_KEY"}) ASSERT_EQ(set(name, "v", "checkout").status, 201);
  // Project-wide ("" function) first, then each function, names in order.
  std::vector<std::string> order;
  for (auto& r : list("?limit=500")) order.push_back(str(r.at("name")) + "@" + (r.at("function").is_null() ? "" : str(r.at("function"))));
  EXPECT_EQ(order, (std::vector<std::string>{"A_KEY@", "B_KEY@", "C_KEY@", "A_KEY@checkout", "Z_KEY@checkout"}));
  const std::string path = "/v1/admin/projects/" + project + "/secrets";
  std::vector<std::string> names;
  for (auto& n : order) names.push_back(n.substr(0, n.find('@')));
  EXPECT_EQ(walk_pages(server->port(), path, 2, owner.key, "name"), std::make_pair(names, 3));
  EXPECT_EQ(walk_pages(server->port(), path, 1, owner.key, "name").first, names);
  EXPECT_EQ(walk_pages(server->port(), path + "?function=checkout", 1, owner.key, "name"),
            std::make_pair(std::vector<std::string>{"A_KEY", "Z_KEY"}, 2));

  for (const char* bad : {"?limit=0", "?limit=501", "?cursor=garbage", "?cursor=WzFd"}) {
    auto r = call("GET", bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_EQ(error_code(r), "INVALID_INPUT") << bad;
  }
}

TEST_P(Secrets, ProjectsAndTenantsAreIsolated) {
  ASSERT_EQ(set("ONLY_A", "value-of-a").status, 201);
  std::string other = create_project(owner.key);
  ASSERT_EQ(http(server->port(), "POST", "/v1/admin/projects/" + other + "/secrets", bearer(owner.key),
                 R"({"name": "ONLY_B", "value": "value-of-b"})").status, 201);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));
  EXPECT_EQ(list().size(), 1u);
  ASSERT_TRUE(eventually([&] { return fs::exists(runtime / other / "_project.env"); }));
  EXPECT_EQ(all_bytes(runtime / other).find("value-of-a"), std::string::npos);
  EXPECT_EQ(all_bytes(runtime / project).find("value-of-b"), std::string::npos);

  auto b = create_tenant(server->port(), owner.key, "b@example.com", "Tenant B");
  EXPECT_EQ(call("GET", "", {}, b.key).status, 404);
  EXPECT_EQ(call("POST", "", R"({"name": "X", "value": "y"})", b.key).status, 404);
  EXPECT_EQ(call("DELETE", "/ONLY_A", {}, b.key).status, 404);
  EXPECT_EQ(call("POST", "/resync", {}, b.key).status, 404);
  EXPECT_EQ(list().size(), 1u);
}

// A deleted project's plaintext runtime files used to stay on disk forever.
TEST_P(Secrets, DeletingAProjectRemovesItsRuntimeFiles) {
  ASSERT_EQ(set("STRIPE_KEY", "sk_live_plaintext").status, 201);
  ASSERT_TRUE(eventually([&] { return all_synced(); }));
  ASSERT_TRUE(fs::exists(runtime / project / "_project.env"));
  std::string other = create_project(owner.key);  // another project's files stay
  ASSERT_EQ(http(server->port(), "POST", "/v1/admin/projects/" + other + "/secrets", bearer(owner.key),
                 R"({"name": "KEEP", "value": "x"})").status, 201);
  ASSERT_TRUE(eventually([&] { return fs::exists(runtime / other / "_project.env"); }));
  auto deleted = http(server->port(), "DELETE", "/v1/admin/projects/" + project, bearer(owner.key));
  ASSERT_EQ(deleted.status / 100, 2) << deleted.body;
  EXPECT_TRUE(eventually([&] { return !fs::exists(runtime / project); }));
  EXPECT_EQ(all_bytes(runtime).find("sk_live_plaintext"), std::string::npos);
  EXPECT_TRUE(fs::exists(runtime / other / "_project.env"));
}

// kill -9 in the middle of a burst of writes: after a restart on the same
// database every acknowledged secret is synced; none stays syncing because
// the dead process's job lease was never given back.
TEST_P(Secrets, AfterAKillDuringABurstEveryAcknowledgedSecretIsSynced) {
  // SQLite keeps the default 10 s lease: the jobs the dead process held are
  // requeued at start, well before it would lapse. PostgreSQL, where other
  // processes may hold live leases, waits for the dead one to lapse: 1 s here.
  auto cfg = deployment();
  if (GetParam() == Backend::postgresql) cfg["jobs"].as_object()["lease_ms"] = 1000;
  auto file = write_config(dir, cfg, "burst.json");
  serve(file);
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> sent{0};
  std::atomic<bool> killed{false};
  auto writer = [&](int t) {
    for (int i = 0; i < 200 && !killed; ++i) {
      std::string name = "K" + std::to_string(t) + "_" + std::to_string(i);
      HttpResult r;
      try {
        r = http(server->port(), "POST", "/v1/admin/projects/" + project + "/secrets", bearer(owner.key),
                 json::serialize(json::object{{"name", name}, {"value", "v-" + name}}));
      } catch (const std::exception&) {  // the connection died with the process
        return;
      }
      ++sent;
      if (r.status == 201) {
        std::lock_guard lock(mu);
        acknowledged.push_back(name);
      }
    }
  };
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) writers.emplace_back(writer, t);
  ASSERT_TRUE(eventually([&] { return sent >= 120; }, 30s));
  server->signal(SIGKILL);
  killed = true;
  for (auto& w : writers) w.join();
  ASSERT_GE(server->wait(), 0);
  ASSERT_GE(acknowledged.size(), 100u);

  serve(file);
  json::array rows;
  bool settled = eventually(
      [&] {
        rows = list("?limit=500");
        for (auto& r : rows)
          if (r.at("sync_status").as_string() != "synced") return false;
        return true;
      },
      5s);
  std::set<std::string> listed;
  for (auto& r : rows) {
    listed.insert(str(r.at("name")));
    EXPECT_EQ(r.at("sync_status").as_string(), "synced") << r;
  }
  EXPECT_TRUE(settled);
  for (auto& name : acknowledged) EXPECT_TRUE(listed.count(name)) << name << " was acknowledged but is gone";
  // And the runtime file holds them.
  std::string env = runtime_file("_project");
  for (auto& name : acknowledged) EXPECT_NE(env.find(name + "="), std::string::npos) << name;
}

INSTANTIATE_TEST_SUITE_P(Db, Secrets, ::testing::ValuesIn(test_backends()), backend_param_name);
