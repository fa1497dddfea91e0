// The mcp plugin through the real binary, on SQLite and PostgreSQL, as an
// MCP client sees it: the Streamable HTTP transport at /mcp (sessions,
// versions, JSON-RPC errors), authorization (the RFC 9728 pointer, a session
// per credential, Origin), tools = operations (paging, hints, scopes),
// tools/call with its audit rows, the limits (sessions per credential, idle
// time on the test clock, message size), progress over SSE, and a session
// shared by two processes on one PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// One MCP client: a credential, its session once initialized, its request ids.
struct McpClient {
  std::uint16_t port = 0;
  std::string key;                     ///< "" sends no credential
  std::string session;                 ///< Mcp-Session-Id, after initialize
  std::string version = "2025-11-25";  ///< MCP-Protocol-Version sent with a session
  Headers extra;                       ///< e.g. Origin
  std::int64_t last_id = 0;

  Headers headers() const {
    Headers h{{"Accept", "application/json, text/event-stream"}};
    if (!key.empty()) h.emplace_back("Authorization", "Bearer " + key);
    if (!session.empty()) h.insert(h.end(), {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", version}});
    h.insert(h.end(), extra.begin(), extra.end());
    return h;
  }
  HttpResult post(const std::string& body) const { return http(port, "POST", "/mcp", headers(), body); }
  /// A JSON-RPC request with the next id.
  HttpResult send(const std::string& method, json::object params = {}) {
    json::object m{{"jsonrpc", "2.0"}, {"id", ++last_id}, {"method", method}};
    if (!params.empty()) m["params"] = std::move(params);
    return post(json::serialize(m));
  }
  HttpResult notify(const std::string& method) {
    return post(json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", method}}));
  }
  /// Opens a session asking for `requested`; keeps its id and the negotiated version.
  HttpResult initialize(const std::string& requested = "2025-06-18") {
    session.clear();
    auto r = send("initialize", {{"protocolVersion", requested},
                                 {"capabilities", json::object{}},
                                 {"clientInfo", {{"name", "mcp_test"}, {"version", "1.0"}}}});
    if (r.status == 200) {
      session = r.header("mcp-session-id");
      version = std::string(r.json().at("result").at("protocolVersion").as_string());
    }
    return r;
  }
  HttpResult call_raw(const std::string& tool, json::object arguments, json::object meta = {}) {
    json::object params{{"name", tool}, {"arguments", std::move(arguments)}};
    if (!meta.empty()) params["_meta"] = std::move(meta);
    return send("tools/call", std::move(params));
  }
  /// Every tool over all pages of tools/list, and how many pages it took.
  std::pair<json::array, int> list_all();
  HttpResult end() const { return http(port, "DELETE", "/mcp", headers()); }
};

/// The JSON-RPC result of a 200 answer (empty, with a failure, otherwise).
json::object result_of(const HttpResult& r) {
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200 || r.header("content-type").rfind("application/json", 0) != 0) return {};
  auto m = r.json().as_object();
  EXPECT_FALSE(m.contains("error")) << r.body;
  return m.contains("result") ? m.at("result").as_object() : json::object{};
}

/// The JSON-RPC error code of an answer (0 when it has none).
std::int64_t rpc_error(const HttpResult& r) {
  if (r.body.empty()) return 0;
  json::value message = r.json();
  auto* e = message.as_object().if_contains("error");
  return e ? e->at("code").as_int64() : 0;
}

/// A tools/call result's text content, concatenated.
std::string text_of(const json::object& result) {
  std::string out;
  if (auto* content = result.if_contains("content"))
    for (auto& c : content->as_array()) out += std::string(c.at("text").as_string()) + "\n";
  return out;
}

bool is_error(const json::object& result) {
  auto* e = result.if_contains("isError");
  return e && e->as_bool();
}

std::pair<json::array, int> McpClient::list_all() {
  json::array tools;
  json::object params;
  for (int pages = 1; pages <= 100; ++pages) {
    auto page = result_of(send("tools/list", params));
    if (page.empty()) break;
    for (auto& t : page.at("tools").as_array()) tools.push_back(t);
    if (!page.contains("nextCursor")) return {tools, pages};
    params["cursor"] = page.at("nextCursor");
  }
  ADD_FAILURE() << "tools/list never ended";
  return {tools, 0};
}

std::set<std::string> names_of(const json::array& tools) {
  std::set<std::string> out;
  for (auto& t : tools) out.insert(str(t.at("name")));
  return out;
}

/// The JSON-RPC messages of an SSE body (its `data:` lines), in order.
std::vector<json::object> sse_messages(const std::string& body) {
  std::vector<json::object> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("data: ", 0) == 0) out.push_back(json::parse(line.substr(6)).as_object());
  return out;
}

/// config/default.json's plugins, the mcp plugin's config merged with `mcp`.
json::array shipped_plugins(const json::object& mcp) {
  json::parse_options options;
  options.allow_comments = options.allow_trailing_commas = true;
  auto shipped = json::parse(file_bytes(source_dir() / "config/default.json"), {}, options).as_object();
  json::array plugins = shipped.at("plugins").as_array();
  for (auto& p : plugins)
    if (p.at("name") == "mcp")
      for (auto& [k, v] : mcp) p.as_object()["config"].as_object()[k] = v;
  return plugins;
}

}  // namespace

class Mcp : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    owner = bootstrap_owner(write_config(dir, deployment()));
    ASSERT_FALSE(owner.key.empty());
    serve();
  }
  /// The shipped deployment on this test's database, with `mcp` settings and
  /// test-only `testing` settings of the kernel.
  json::object deployment(const json::object& mcp = {}, const json::object& testing = {}) {
    auto cfg = e2e_config(dir, db->url(), shipped_plugins(mcp), {{"access_log", true}}, {{"poll_interval_ms", 50}});
    if (!testing.empty()) cfg["testing"] = testing;
    return cfg;
  }
  /// (Re)starts the server; at debug level, so the log a secret must stay out of is the fullest.
  void serve(const json::object& mcp = {}, const json::object& testing = {}) {
    server.reset();
    server = std::make_unique<ServerProcess>(write_config(dir, deployment(mcp, testing)),
                                             std::map<std::string, std::string>{{"AMBIT_LOG_LEVEL", "debug"}});
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  McpClient client(const std::string& key) const {
    McpClient c;
    c.port = server->port();
    c.key = key;
    return c;
  }
  /// A client of `key` with an open session.
  McpClient connected(const std::string& key) {
    auto c = client(key);
    EXPECT_EQ(c.initialize().status, 200);
    return c;
  }
  HttpResult rest(const std::string& method, const std::string& path, const std::string& body = {}) {
    return http(server->port(), method, path, bearer(owner.key), body);
  }
  /// A key of the owner's tenant with `scopes`: {key, id}.
  std::pair<std::string, std::string> api_key(const json::array& scopes) {
    auto r = rest("POST", "/v1/api_keys", json::serialize(json::object{{"name", "agent"}, {"scopes", scopes}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return {str(r.json().at("data").at("key")), str(r.json().at("data").at("id"))};
  }
  std::string provisioning_status(const std::string& project) {
    return str(rest("GET", "/v1/admin/projects/" + project + "/provisioning-status").json().at("data").at("status"));
  }
  /// A project created over REST, once active.
  std::string create_project(const std::string& name = "Agents") {
    auto r = rest("POST", "/v1/admin/projects", json::serialize(json::object{{"name", name}}));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = str(r.json().at("data").at("project").at("id"));
    EXPECT_TRUE(eventually([&] { return provisioning_status(id) == "active"; }));
    return id;
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
};

TEST_P(Mcp, InitializeNegotiatesTheVersionAndOpensASession) {
  auto c = client(owner.key);
  auto r = c.initialize("2025-06-18");
  auto result = result_of(r);
  EXPECT_EQ(result.at("protocolVersion").as_string(), "2025-06-18");
  EXPECT_EQ(c.session.rfind("mcp_s_", 0), 0u) << c.session;
  EXPECT_TRUE(result.at("capabilities").as_object().contains("tools"));
  EXPECT_EQ(result.at("serverInfo").at("name").as_string(), "ambit");
  EXPECT_EQ(r.json().at("id").as_int64(), c.last_id);
  // A version this server does not speak: it answers with its latest.
  auto other = client(owner.key);
  EXPECT_EQ(result_of(other.initialize("1999-01-01")).at("protocolVersion").as_string(), "2025-11-25");
  EXPECT_NE(other.session, c.session);
  EXPECT_EQ(result_of(c.send("ping")), json::object{});
}

TEST_P(Mcp, MessagesAfterInitializeFollowTheTransportRules) {
  auto c = connected(owner.key);
  auto no_session = c;
  no_session.session.clear();
  EXPECT_EQ(no_session.send("tools/list").status, 400);
  auto unknown = c;
  unknown.session = "mcp_s_0000000000000000000000000000000";
  EXPECT_EQ(unknown.send("tools/list").status, 404);
  unknown.session = "not a session";
  EXPECT_EQ(unknown.send("tools/list").status, 404);
  auto future = c;
  future.version = "2099-01-01";
  auto refused = future.send("ping");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(rpc_error(refused), -32600);

  auto note = c.notify("notifications/initialized");
  EXPECT_EQ(note.status, 202);
  EXPECT_TRUE(note.body.empty()) << note.body;
  EXPECT_EQ(result_of(c.send("logging/setLevel", {{"level", "warning"}})), json::object{});
  EXPECT_EQ(rpc_error(c.send("logging/setLevel", {{"level", "loud"}})), -32602);
  auto nope = c.send("resources/list");
  EXPECT_EQ(nope.status, 200);
  EXPECT_EQ(rpc_error(nope), -32601);
  EXPECT_EQ(nope.json().at("id").as_int64(), c.last_id);
  auto broken = c.post("{\"jsonrpc\": \"2.0\", \"id\": 1, ");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(rpc_error(broken), -32700);
  auto batch = c.post(R"([{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}])");
  EXPECT_EQ(batch.status, 400) << batch.body;
  EXPECT_NE(rpc_error(batch), 0);
  EXPECT_EQ(result_of(c.send("ping")), json::object{});  // the session is unharmed
}

TEST_P(Mcp, WithoutACredentialTheAnswerPointsAtTheResourceMetadata) {
  // The path-inserted URL of RFC 9728 section 3.1 (docs/mcp.md); the same document is at the bare path.
  const std::string pointer = "resource_metadata=\"" + base() + "/.well-known/oauth-protected-resource/mcp\"";
  auto anonymous = client("");
  auto r = anonymous.initialize();
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.header("www-authenticate"), "Bearer " + pointer);
  EXPECT_EQ(anonymous.end().status, 401);
  auto forged = client("ak_live_0000000000000000000000000000000000");
  auto refused = forged.initialize();
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_NE(refused.header("www-authenticate").find(pointer), std::string::npos) << refused.header("www-authenticate");
  EXPECT_NE(refused.header("www-authenticate").find("error=\"invalid_token\""), std::string::npos);
  for (const char* path : {"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"}) {
    auto doc = http(server->port(), "GET", path);
    ASSERT_EQ(doc.status, 200) << path << ": " << doc.body;
    EXPECT_EQ(doc.json().at("resource").as_string(), base() + "/mcp") << path;
    EXPECT_EQ(doc.json().at("authorization_servers"), json::array{json::value(base())}) << path;
  }
}

TEST_P(Mcp, ASessionBelongsToTheCredentialThatOpenedIt) {
  auto mine = connected(owner.key);
  auto tenant_b = create_tenant(server->port(), owner.key, "b-owner@example.com", "Tenant B");
  auto narrower = api_key({"secrets:read"}).first;
  for (const auto& other_key : {tenant_b.key, narrower}) {
    auto other = mine;
    other.key = other_key;
    EXPECT_EQ(other.send("tools/list").status, 404);
    EXPECT_EQ(other.end().status, 404);
  }
  EXPECT_EQ(result_of(mine.send("ping")), json::object{});  // neither ended it
}

TEST_P(Mcp, OnlyThePublicUrlsOriginMayCallFromABrowser) {
  auto c = client(owner.key);
  c.extra = {{"Origin", "http://evil.example"}};
  EXPECT_EQ(c.initialize().status, 403);
  c.extra = {{"Origin", base()}};
  EXPECT_EQ(c.initialize().status, 200);
  c.extra.clear();  // not a browser
  EXPECT_EQ(c.initialize().status, 200);
}

TEST_P(Mcp, ToolsListPagesThroughEveryOperationWithItsHints) {
  auto c = connected(owner.key);
  auto [tools, pages] = c.list_all();
  auto names = names_of(tools);
  EXPECT_EQ(names.size(), tools.size()) << "a tool listed twice";
  for (const char* seed : {"amba_secrets_set", "amba_secrets_list", "amba_secrets_get", "amba_secrets_delete"})
    EXPECT_TRUE(names.count(seed)) << seed;
  EXPECT_EQ(pages, static_cast<int>((tools.size() + 49) / 50));  // tools_page_size 50
  EXPECT_GE(pages, 2);

  auto rest_tools = rest("GET", "/v1/tools").json().at("data").as_array();
  EXPECT_EQ(rest_tools.size(), tools.size());
  std::map<std::string, json::object> by_name;
  for (auto& t : tools) by_name[str(t.at("name"))] = t.as_object();
  for (auto& op : rest_tools) {
    std::string name = "amba_" + str(op.at("id"));
    std::replace(name.begin(), name.end(), '.', '_');
    ASSERT_TRUE(by_name.count(name)) << name;
    const auto& t = by_name[name];
    EXPECT_EQ(t.at("inputSchema").at("type").as_string(), "object") << name;
    const auto& hints = op.at("hints");
    const auto& a = t.at("annotations");
    EXPECT_EQ(a.at("readOnlyHint"), hints.at("read_only")) << name;
    EXPECT_EQ(a.at("destructiveHint"), hints.at("destructive")) << name;
    EXPECT_EQ(a.at("idempotentHint"), hints.at("idempotent")) << name;
  }
  EXPECT_EQ(rpc_error(c.send("tools/list", {{"cursor", "no-such-tool"}})), -32602);
}

TEST_P(Mcp, ANarrowKeySeesAndCallsOnlyWhatItsScopesAllow) {
  std::string project = create_project();
  auto reader = connected(api_key({"secrets:read"}).first);
  auto names = names_of(reader.list_all().first);
  EXPECT_TRUE(names.count("amba_secrets_list"));
  EXPECT_TRUE(names.count("amba_secrets_get"));
  EXPECT_FALSE(names.count("amba_secrets_set"));
  EXPECT_FALSE(names.count("amba_secrets_delete"));
  // A missing scope is the tool's error, for the model to read; not a protocol error.
  auto r = reader.call_raw("amba_secrets_set", {{"projectId", project}, {"name", "TOKEN"}, {"value", "v"}});
  auto result = result_of(r);
  EXPECT_TRUE(is_error(result)) << r.body;
  EXPECT_NE(text_of(result).find("missing_scope"), std::string::npos) << r.body;
  EXPECT_NE(text_of(result).find("secrets:write"), std::string::npos) << r.body;
  EXPECT_FALSE(result.contains("structuredContent"));
}

TEST_P(Mcp, ToolsCallSetsASecretWhoseValueNeverComesBack) {
  std::string project = create_project();
  const std::string value = "sk_live_mcp_value_7f3a9c";
  auto c = connected(owner.key);
  std::vector<HttpResult> answers;
  auto call = [&](const std::string& tool, json::object args) {
    answers.push_back(c.call_raw(tool, std::move(args)));
    return result_of(answers.back());
  };
  auto set = call("amba_secrets_set", {{"projectId", project}, {"name", "STRIPE_KEY"}, {"value", value}});
  EXPECT_FALSE(is_error(set));
  EXPECT_EQ(set.at("structuredContent").at("data").at("name").as_string(), "STRIPE_KEY");
  EXPECT_EQ(set.at("content").at(0).at("type").as_string(), "text");
  auto listed = call("amba_secrets_list", {{"projectId", project}});
  EXPECT_EQ(listed.at("structuredContent").at("data").at(0).at("name").as_string(), "STRIPE_KEY");
  auto got = call("amba_secrets_get", {{"projectId", project}, {"name", "STRIPE_KEY"}});
  EXPECT_EQ(got.at("structuredContent").at("data").at("version").as_int64(), 1);

  auto invalid = call("amba_secrets_set", {{"projectId", project}, {"name", "not a name"}, {"value", "x"}});
  EXPECT_TRUE(is_error(invalid));
  EXPECT_NE(text_of(invalid).find("INVALID_INPUT"), std::string::npos) << text_of(invalid);
  auto missing = call("amba_secrets_set", {{"projectId", project}, {"name", "OTHER"}});
  EXPECT_TRUE(is_error(missing));
  EXPECT_NE(text_of(missing).find("INVALID_INPUT"), std::string::npos) << text_of(missing);
  for (auto& a : answers) EXPECT_EQ(a.body.find(value), std::string::npos) << a.body;
  EXPECT_EQ(server->log().find(value), std::string::npos);

  auto unknown = c.call_raw("amba_no_such_tool", {});
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(rpc_error(unknown), -32602);
}

TEST_P(Mcp, EachToolCallIsOneAuditRowNamingTheTool) {
  std::string project = create_project();
  auto [key, key_id] = api_key({"secrets:read", "secrets:write"});
  auto c = connected(key);                             // /mcp row 1
  EXPECT_EQ(c.notify("notifications/initialized").status, 202);  // /mcp row 2
  EXPECT_FALSE(c.list_all().first.empty());           // /mcp row 3 (one page: few tools)
  const json::object secret{{"projectId", project}, {"name", "AUDITED"}};
  const std::vector<std::pair<std::string, json::object>> calls{
      {"amba_secrets_set", {{"projectId", project}, {"name", "AUDITED"}, {"value", "v"}}},
      {"amba_secrets_list", {{"projectId", project}}},
      {"amba_secrets_get", secret},
      {"amba_secrets_delete", secret}};
  std::set<std::string> call_request_ids;
  std::multiset<std::string> tools_called;
  for (auto& [tool, args] : calls) {
    auto r = c.call_raw(tool, args);
    EXPECT_FALSE(is_error(result_of(r))) << tool << ": " << r.body;
    call_request_ids.insert(r.header("x-request-id"));
    tools_called.insert(tool);
  }
  // Rows reach the log in batches.
  json::array rows;
  auto count = [&](auto&& pred) { return std::count_if(rows.begin(), rows.end(), pred); };
  auto is_mcp = [](const json::value& row) { return row.at("route") == "/mcp"; };
  auto is_tool = [](const json::value& row) { return !row.at("tool").is_null(); };
  EXPECT_TRUE(eventually([&] {
    rows = rest("GET", "/v1/audit?limit=500&credential_id=" + key_id).json().at("data").as_array();
    return count(is_mcp) >= 3 && count(is_tool) >= static_cast<long>(calls.size());
  }));
  EXPECT_EQ(count(is_mcp), 3) << json::serialize(rows);
  EXPECT_EQ(count(is_tool), static_cast<long>(calls.size())) << json::serialize(rows);
  std::multiset<std::string> tools_seen;
  for (auto& row : rows) {
    EXPECT_EQ(row.at("credential_type").as_string(), "api_key");
    EXPECT_FALSE(call_request_ids.count(str(row.at("request_id")))) << "a tools/call message has its own row";
    if (is_tool(row)) {
      tools_seen.insert(str(row.at("tool")));
      EXPECT_NE(row.at("route"), "/mcp");
      EXPECT_EQ(row.at("status").as_int64() / 100, 2) << json::serialize(row);
    }
  }
  EXPECT_EQ(tools_seen, tools_called);
}

TEST_P(Mcp, SessionsPerCredentialIdleTimeAndMessageSizeAreBounded) {
  const std::string clock_file = dir.str() + "/clock_offset";
  auto shift_clock = [&](std::chrono::milliseconds by) {
    std::ofstream(clock_file) << by.count();
    std::this_thread::sleep_for(100ms);  // the kernel re-reads the offset every 20 ms
  };
  shift_clock(0ms);
  serve({{"max_sessions_per_credential", 2}, {"max_message_bytes", 2048}, {"session_idle_minutes", 5}},
        {{"clock_offset_file", clock_file}});
  auto pinged = [](McpClient& c) { return c.send("ping").status; };
  // A second apart, so that the order does not hang on the clock's resolution.
  auto s1 = connected(owner.key);
  shift_clock(1s);
  auto s2 = connected(owner.key);
  shift_clock(2s);
  auto s3 = connected(owner.key);
  EXPECT_EQ(pinged(s1), 404);  // the third ended the least recently used
  EXPECT_EQ(pinged(s2), 200);
  EXPECT_EQ(pinged(s3), 200);
  // Used two minutes later, s2 is now the more recent of the two.
  shift_clock(2min + 2s);
  EXPECT_EQ(pinged(s2), 200);
  auto s4 = connected(owner.key);
  EXPECT_EQ(pinged(s3), 404);
  EXPECT_EQ(pinged(s2), 200);
  EXPECT_EQ(pinged(s4), 200);
  // A flood of initialize keeps two sessions per credential.
  for (int i = 0; i < 8; ++i) connected(owner.key);
  EXPECT_EQ(db->row_counts().at("mcp_sessions"), 2);
  // Idle longer than session_idle_minutes: ended.
  auto idle = connected(owner.key);
  shift_clock(8min + 2s);
  EXPECT_EQ(pinged(idle), 404);

  auto c = connected(owner.key);
  auto padded = [&](std::size_t n) {
    return c.post(json::serialize(json::object{
        {"jsonrpc", "2.0"}, {"id", 7}, {"method", "ping"}, {"params", {{"pad", std::string(n, 'x')}}}}));
  };
  EXPECT_EQ(padded(1500).status, 200);
  auto big = padded(3000);
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(pinged(c), 200);
}

TEST_P(Mcp, DeleteEndsTheSessionOnce) {
  auto c = connected(owner.key);
  auto ended = c.end();
  EXPECT_EQ(ended.status, 204) << ended.body;
  EXPECT_EQ(c.end().status, 404);
  EXPECT_EQ(c.send("ping").status, 404);
  auto no_session = client(owner.key);
  EXPECT_EQ(no_session.end().status, 400);
}

TEST_P(Mcp, ProjectsCreateWithAProgressTokenStreamsUntilActive) {
  auto c = connected(owner.key);
  auto r = c.call_raw("amba_projects_create", {{"name", "Streamed"}}, {{"progressToken", "create-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.header("content-type").rfind("text/event-stream", 0), 0u) << r.header("content-type") << "\n" << r.body;
  auto messages = sse_messages(r.body);
  ASSERT_GE(messages.size(), 2u) << r.body;
  // Notifications first, then the call's answer ends the stream.
  const auto& last = messages.back();
  EXPECT_EQ(last.at("id").as_int64(), c.last_id);
  std::string status;
  double progress = 0;
  int notified = 0;
  for (std::size_t i = 0; i + 1 < messages.size(); ++i) {
    const auto& m = messages[i];
    EXPECT_FALSE(m.contains("id")) << json::serialize(m);
    if (m.at("method") != "notifications/progress") continue;
    ++notified;
    const auto& p = m.at("params");
    EXPECT_EQ(p.at("progressToken").as_string(), "create-1");
    EXPECT_GT(p.at("progress").to_number<double>(), progress);
    progress = p.at("progress").to_number<double>();
    // "<poll operation>: <status>" once the poll has read the status.
    std::string message = str(p.at("message"));
    if (auto at = message.rfind(": "); at != std::string::npos) status = message.substr(at + 2);
  }
  EXPECT_GE(notified, 1) << r.body;
  const auto& result = last.at("result").as_object();
  EXPECT_FALSE(is_error(result));
  const auto& data = result.at("structuredContent").at("data");
  std::string project = str(data.at("project").at("id"));
  EXPECT_EQ(str(data.at("api_keys").at("client").at("key")).rfind("amb_client_ck_", 0), 0u);
  EXPECT_EQ(str(data.at("api_keys").at("server").at("key")).rfind("amb_server_sk_", 0), 0u);
  EXPECT_EQ(status, "active") << r.body;
  EXPECT_EQ(provisioning_status(project), status);

  // Without a progress token: JSON at once.
  auto plain = c.call_raw("amba_projects_create", {{"name", "Plain"}});
  EXPECT_EQ(plain.header("content-type").rfind("application/json", 0), 0u) << plain.body;
  EXPECT_TRUE(result_of(plain).at("structuredContent").at("data").at("project").is_object());
}

INSTANTIATE_TEST_SUITE_P(Db, Mcp, ::testing::ValuesIn(test_backends()), backend_param_name);

// Two `ambit serve` processes on one PostgreSQL: a session lives in the
// database, and its end reaches every process's cache.
class McpOnPostgres : public Mcp {};

TEST_P(McpOnPostgres, ASessionWorksOnEveryProcessAndEndsEverywhere) {
  ServerProcess other(write_config(dir, deployment(), "other.json"));
  auto first = connected(owner.key);
  EXPECT_FALSE(first.list_all().first.empty());  // cached on the first process
  auto second = first;
  second.port = other.port();
  EXPECT_FALSE(second.list_all().first.empty());
  EXPECT_EQ(second.end().status, 204);
  EXPECT_TRUE(eventually([&] { return first.send("ping").status == 404; }, 5s));
}

INSTANTIATE_TEST_SUITE_P(Db, McpOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
