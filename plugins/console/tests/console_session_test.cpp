// The console session, the first-party credential, through the real binary
// on SQLite and PostgreSQL, as an attacker would try it: a cross-site sign-in
// or write, a session token replayed in a header, a planted session id, a
// cookie kept after sign-out (on another process too), and scopes beyond
// the role. The browser flows are tests/console (headless Chromium).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
namespace json = boost::json;

namespace {

constexpr const char* kPassword = "correct horse battery staple";

class ConsoleSession : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    auto cfg = e2e_config(dir, db->url(),
                          {json::object{{"name", "auth-apikey"}},
                           json::object{{"name", "console"}, {"config", {{"session_max_age_hours", 2}}}}});
    cfg["testing"] = {{"clock_offset_file", dir.str() + "/clock"}};
    config_file = write_config(dir, cfg);
    auto boot = run_ambit({"bootstrap", "--config", config_file, "--email", "owner@example.com", "--password", kPassword});
    ASSERT_EQ(boot.exit_code, 0) << boot.err;
    owner_key = str(json::parse(boot.out).at("api_key"));
    server = std::make_unique<ServerProcess>(config_file);
    origin = "http://127.0.0.1:" + std::to_string(server->port());
  }

  struct Signed {
    std::string token, csrf, id;
  };
  /// Signs in as the browser on the console page does; `extra` adds headers (a planted cookie).
  HttpResult sign_in_raw(const std::string& email, const std::string& password, Headers extra = {},
                         const std::string& from = {}) {
    extra.emplace_back("Origin", from.empty() ? origin : from);
    extra.emplace_back("Content-Type", "application/json");
    return http(server->port(), "POST", "/console/api/sign-in", extra,
                json::serialize(json::object{{"email", email}, {"password", password}}));
  }
  Signed sign_in(Headers extra = {}) {
    auto r = sign_in_raw("owner@example.com", kPassword, std::move(extra));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    std::smatch m;
    std::string cookie = r.header("set-cookie");
    EXPECT_TRUE(std::regex_search(cookie, m, std::regex("^ambit_session=(ses_[0-9A-Za-z]+); Path=/; HttpOnly; SameSite=Strict")))
        << cookie;
    auto data = r.json().at("data");
    return {m[1], str(data.at("csrf_token")), str(data.at("id"))};
  }
  /// Moves the server's clock `minutes` ahead of the real time (testing.clock_offset_file).
  void clock_at(long long minutes) {
    std::ofstream(dir.str() + "/clock") << minutes * 60 * 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(60));  // read again within 20 ms
  }
  static Headers with_cookie(const std::string& token, Headers more = {}) {
    more.emplace_back("Cookie", "theme=dark; ambit_session=" + token);
    return more;
  }
  HttpResult create_key(const Signed& s, Headers headers) {
    return http(server->port(), "POST", "/v1/api_keys", with_cookie(s.token, std::move(headers)),
                R"({"name": "from the console", "scopes": ["keys:read"]})");
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string config_file, owner_key, origin;
  std::unique_ptr<ServerProcess> server;
};

TEST_P(ConsoleSession, IsACredentialOfItsOwnTypeWithTheRolesScopes) {
  auto s = sign_in();
  auto me = http(server->port(), "GET", "/v1/me", with_cookie(s.token));
  ASSERT_EQ(me.status, 200) << me.body;
  auto data = me.json().at("data");
  EXPECT_EQ(str(data.at("credential").at("type")), "session");
  EXPECT_EQ(str(data.at("credential").at("id")), s.id);
  EXPECT_EQ(str(data.at("role")), "owner");
  auto session = http(server->port(), "GET", "/console/api/session", with_cookie(s.token));
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(str(session.json().at("data").at("user").at("email")), "owner@example.com");
  EXPECT_EQ(session.json().at("data").at("workspaces").as_array().size(), 1u);
  // The audit row names the session.
  auto created = create_key(s, {{"Origin", origin}, {"X-CSRF-Token", s.csrf}});
  ASSERT_EQ(created.status, 201) << created.body;
  bool audited = false;
  for (int i = 0; i < 50 && !audited; ++i) {
    json::value rows = http(server->port(), "GET", "/v1/audit?credential_id=" + s.id, bearer(owner_key)).json();
    for (auto& row : rows.at("data").as_array())
      audited = audited || (row.at("credential_type") == "session" && row.at("method") == "POST");
    if (!audited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(audited);
}

TEST_P(ConsoleSession, EachRequestRenewsTheSessionUpToItsMaximumAge) {
  auto s = sign_in();  // idle limit 60 min, maximum age 2 h (this deployment)
  auto me = [&](const std::string& token) { return http(server->port(), "GET", "/v1/me", with_cookie(token)); };
  for (long long at : {50, 100}) {  // a request every 50 minutes keeps it past its first hour
    clock_at(at);
    EXPECT_EQ(me(s.token).status, 200) << "at +" << at << " min";
    std::this_thread::sleep_for(std::chrono::seconds(6));  // the last use is written in batches every 5 s
  }
  clock_at(125);  // used 25 minutes ago, but signed in over 2 h ago
  auto aged = me(s.token);
  EXPECT_EQ(aged.status, 401);
  EXPECT_EQ(str(aged.json().at("error").at("details").at("reason")), "expired");
  auto idle = sign_in();
  clock_at(125 + 61);  // 61 minutes without a request
  auto idled = me(idle.token);
  EXPECT_EQ(idled.status, 401);
  EXPECT_EQ(str(idled.json().at("error").at("details").at("reason")), "expired");
}

TEST_P(ConsoleSession, AWrongPasswordOrAnotherSitesSignInFormIsRefused) {
  auto wrong = sign_in_raw("owner@example.com", "not the password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(error_code(wrong), "INVALID_CREDENTIALS");
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  // Login CSRF: another site's form would sign the victim in as the attacker.
  auto forged = sign_in_raw("owner@example.com", kPassword, {}, "https://evil.example");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(error_code(forged), "CSRF_REJECTED");
  EXPECT_TRUE(forged.header("set-cookie").empty());
}

TEST_P(ConsoleSession, AnUnsafeRequestNeedsTheCsrfTokenAndThisServersOrigin) {
  auto s = sign_in();
  // A cross-site form post carries the cookie (were SameSite ignored) but no token.
  auto no_token = create_key(s, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(no_token.status, 403) << no_token.body;
  EXPECT_EQ(error_code(no_token), "CSRF_REJECTED");
  auto stolen_token = create_key(s, {{"Origin", "https://evil.example"}, {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(stolen_token.status, 403) << stolen_token.body;
  auto same_site = create_key(s, {{"Origin", origin}, {"X-CSRF-Token", s.csrf}, {"Sec-Fetch-Site", "same-site"}});
  EXPECT_EQ(same_site.status, 403) << same_site.body;
  auto wrong_token = create_key(s, {{"Origin", origin}, {"X-CSRF-Token", std::string(s.csrf.size(), '0')}});
  EXPECT_EQ(wrong_token.status, 403) << wrong_token.body;
  EXPECT_EQ(str(wrong_token.json().at("error").at("details").at("reason")), "csrf_token");
  auto no_origin = create_key(s, {{"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(no_origin.status, 403) << no_origin.body;
  // A read from another origin is refused too: the session serves this server's pages only.
  auto foreign_read = http(server->port(), "GET", "/v1/me", with_cookie(s.token, {{"Origin", "https://evil.example"}}));
  EXPECT_EQ(foreign_read.status, 403) << foreign_read.body;
  json::value keys = http(server->port(), "GET", "/v1/api_keys", bearer(owner_key)).json();
  EXPECT_EQ(keys.at("data").as_array().size(), 1u) << "only the owner's bootstrap key: nothing was created";
  auto ok = create_key(s, {{"Origin", origin}, {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(ok.status, 201) << ok.body;
  // The server as the browser names it counts for loopback names (localhost for 127.0.0.1)...
  std::string port = std::to_string(server->port());
  auto via_localhost =
      create_key(s, {{"Host", "localhost:" + port}, {"Origin", "http://localhost:" + port}, {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(via_localhost.status, 201) << via_localhost.body;
  // ...but not for another name: a page whose DNS name was rebound to this server is another site.
  Headers rebound{{"Host", "rebound.example:" + port}, {"Origin", "http://rebound.example:" + port}};
  auto rebound_write = create_key(s, {rebound[0], rebound[1], {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(rebound_write.status, 403) << rebound_write.body;
  auto rebound_sign_in = sign_in_raw("owner@example.com", kPassword, {rebound[0]}, rebound[1].second);
  EXPECT_EQ(rebound_sign_in.status, 403) << rebound_sign_in.body;
}

TEST_P(ConsoleSession, ASessionTokenIsRefusedInAHeader) {
  auto s = sign_in();
  auto bearer_use = http(server->port(), "GET", "/v1/me", bearer(s.token));
  EXPECT_EQ(bearer_use.status, 401);
  EXPECT_EQ(str(bearer_use.json().at("error").at("details").at("reason")), "cookie_only");
  auto header_use = http(server->port(), "GET", "/v1/me", {{"X-API-Key", s.token}});
  EXPECT_EQ(header_use.status, 401);
}

TEST_P(ConsoleSession, APlantedSessionIdIsNotKept) {
  auto attacker = sign_in();  // a real session of the attacker's, planted in the victim's browser
  auto victim = sign_in(with_cookie(attacker.token));
  EXPECT_NE(victim.token, attacker.token);
  EXPECT_NE(victim.id, attacker.id);
  EXPECT_EQ(http(server->port(), "GET", "/v1/me", with_cookie(attacker.token)).status, 401);
  EXPECT_EQ(http(server->port(), "GET", "/v1/me", with_cookie(victim.token)).status, 200);
  // A made-up id is refused, and sign-in still mints a new one.
  std::string made_up = "ses_" + std::string(43, 'A');
  EXPECT_EQ(http(server->port(), "GET", "/v1/me", with_cookie(made_up)).status, 401);
  EXPECT_NE(sign_in(with_cookie(made_up)).token, made_up);
}

TEST_P(ConsoleSession, SignOutEndsTheSessionOnEveryProcess) {
  auto s = sign_in();
  std::unique_ptr<ServerProcess> peer;
  if (GetParam() == Backend::postgresql) {
    peer = std::make_unique<ServerProcess>(config_file);
    ASSERT_EQ(http(peer->port(), "GET", "/v1/me", with_cookie(s.token)).status, 200);  // cached there now
  }
  auto out = http(server->port(), "POST", "/console/api/sign-out", with_cookie(s.token, {{"Origin", origin}, {"X-CSRF-Token", s.csrf}}));
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto after = http(server->port(), "GET", "/v1/me", with_cookie(s.token));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(str(after.json().at("error").at("details").at("reason")), "revoked");
  if (peer) {
    bool refused = false;
    for (int i = 0; i < 50 && !refused; ++i) {
      refused = http(peer->port(), "GET", "/v1/me", with_cookie(s.token)).status == 401;
      if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(refused) << "the peer process still accepted the signed-out session after 1 s";
  }
}

TEST_P(ConsoleSession, AViewersSessionCannotMintAnEditorsKey) {
  auto viewer = invite_member(server->port(), owner_key, "viewer@example.com", "viewer", kPassword);
  ASSERT_FALSE(viewer.user_id.empty());
  auto s = sign_in_raw("viewer@example.com", kPassword);
  ASSERT_EQ(s.status, 200) << s.body;
  std::smatch m;
  std::string cookie = s.header("set-cookie");
  ASSERT_TRUE(std::regex_search(cookie, m, std::regex("^ambit_session=(ses_[0-9A-Za-z]+)")));
  std::string token = m[1], csrf = str(s.json().at("data").at("csrf_token"));
  auto r = http(server->port(), "POST", "/v1/api_keys", with_cookie(token, {{"Origin", origin}, {"X-CSRF-Token", csrf}}),
                R"({"name": "broad", "scopes": ["projects:write"]})");
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST_P(ConsoleSession, TheShellIsServedUnderAStrictPolicyAndCannotBeFramed) {
  auto page = http(server->port(), "GET", "/console");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  auto again = http(server->port(), "GET", "/console", {{"If-None-Match", page.header("etag")}});
  EXPECT_EQ(again.status, 304);
  // The first load: the page, the shell, its helpers, the stylesheet and the default page (API keys).
  std::size_t first_load = page.body.size();
  for (const char* file : {"app.js", "lib.js", "console.css", "keys.js"}) {
    auto asset = http(server->port(), "GET", std::string("/console/assets/") + file);
    EXPECT_EQ(asset.status, 200) << file;
    EXPECT_EQ(asset.header("x-frame-options"), "DENY");
    first_load += asset.body.size();
  }
  EXPECT_LE(first_load, 250u * 1024) << "the console's first load is over its 250 KB budget";
  EXPECT_EQ(http(server->port(), "GET", "/console/assets/..%2Fplugin.cpp").status, 404);
  EXPECT_EQ(http(server->port(), "GET", "/console/assets/missing.js").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Db, ConsoleSession, ::testing::ValuesIn(test_backends()), backend_param_name);

}  // namespace
