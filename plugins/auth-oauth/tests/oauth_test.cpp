// The OAuth 2.1 server through the real binary, on SQLite and PostgreSQL:
// registration rules, the whole authorization code flow with PKCE submitted
// as a browser would (cookie, CSRF token, sign-in, consent), the token
// endpoint's rules (single-use codes, rotating refresh tokens, the reuse
// grace and reuse detection), RFC 8707 resource indicators and the
// token-audience service, revocation, introspection, client deletion, and
// access tokens as credentials with the role's scopes.
#include <gtest/gtest.h>
#include <botan/base64.h>
#include <botan/hash.h>

#include <boost/url.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "e2e_util.hpp"
#include "pkce.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kRedirect = "http://127.0.0.1:9/callback";
const std::string kVerifier = "a-pkce-code-verifier-of-more-than-forty-three-characters_0123456789";
const std::string kPassword = "correct horse battery staple";


std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  boost::urls::url u("http://x/");
  for (auto& [k, v] : fields) u.params().append({k, v});
  std::string q(u.encoded_query());
  return q;
}

/// The hidden inputs of an HTML page, as the browser would submit them.
std::vector<std::pair<std::string, std::string>> hidden_fields(const std::string& html) {
  std::vector<std::pair<std::string, std::string>> out;
  static const std::regex input("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), input); it != std::sregex_iterator(); ++it) {
    std::string value = (*it)[2];
    for (auto [from, to] : {std::pair<std::string, std::string>{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&amp;", "&"}}) {
      for (auto pos = value.find(from); pos != std::string::npos; pos = value.find(from, pos + to.size()))
        value.replace(pos, from.size(), to);
    }
    out.emplace_back((*it)[1], value);
  }
  return out;
}

/// The query parameters of a Location header.
std::map<std::string, std::string> location_params(const std::string& location) {
  std::map<std::string, std::string> out;
  auto u = boost::urls::parse_uri(location);
  if (!u) return out;
  for (auto p : u->params()) out[p.key] = p.value;
  return out;
}

}  // namespace

class OAuth : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    config_file = write_config(dir, deployment());
    auto boot = run_ambit({"bootstrap", "--config", config_file, "--email", "owner@example.com", "--password", kPassword});
    ASSERT_EQ(boot.exit_code, 0) << boot.err;
    auto j = json::parse(boot.out);
    owner = {str(j.at("tenant_id")), str(j.at("user_id")), str(j.at("api_key"))};
    server = std::make_unique<ServerProcess>(config_file);
  }
  json::object deployment(json::object oauth_config = {}) {
    // oauth-audience-probe (tests/audience_probe): asks the token-audience service about the caller.
    auto cfg = e2e_config(dir, db->url(),
                          {json::object{{"name", "auth-apikey"}}, json::object{{"name", "auth-oauth"}, {"config", oauth_config}},
                           json::object{{"name", "oauth-audience-probe"}}},
                          {}, {{"poll_interval_ms", 50}});
    cfg["testing"] = {{"clock_offset_file", clock_file()}};
    return cfg;
  }
  std::string clock_file() const { return dir.str() + "/clock-offset"; }
  void set_clock_offset(std::int64_t ms) {
    std::ofstream(clock_file()) << ms;
    std::this_thread::sleep_for(200ms);  // the kernel re-reads the offset every 20 ms; margin for a loaded machine
  }
  void restart(json::object oauth_config) {
    server.reset();
    config_file = write_config(dir, deployment(std::move(oauth_config)), "restarted.json");
    server = std::make_unique<ServerProcess>(config_file);
  }
  std::uint16_t port() const { return server->port(); }
  /// server.public_url: the issuer, and the base of this server's resources (RFC 8707).
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port()); }

  json::object register_client(json::object metadata, const std::string& credential = {}) {
    Headers h;
    if (!credential.empty()) h = bearer(credential);
    auto r = http(port(), "POST", "/oauth/register", h, json::serialize(metadata));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }
  json::object public_client(const std::string& scope = "keys:read members:read") {
    return register_client({{"client_name", "Test <App>"},
                            {"redirect_uris", json::array{kRedirect}},
                            {"token_endpoint_auth_method", "none"},
                            {"scope", scope}});
  }
  std::vector<std::pair<std::string, std::string>> authorize_params(const std::string& client_id,
                                                                    const std::string& scope = "keys:read members:read") {
    return {{"response_type", "code"},         {"client_id", client_id},
            {"redirect_uri", kRedirect},       {"scope", scope},
            {"state", "st&te 42"},             {"code_challenge", pkce_challenge(kVerifier)},
            {"code_challenge_method", "S256"}};
  }

  /// The browser: GET the page, sign in, approve (or deny); returns the final redirect.
  HttpResult browser_flow(const std::string& client_id, const std::string& email = "owner@example.com",
                          const std::string& decision = "approve", const std::string& scope = "keys:read members:read",
                          const std::string& tenant = {},
                          const std::vector<std::pair<std::string, std::string>>& extra_params = {}) {
    auto params = authorize_params(client_id, scope);
    params.insert(params.end(), extra_params.begin(), extra_params.end());
    auto page = http(port(), "GET", "/oauth/authorize?" + form(params));
    EXPECT_EQ(page.status, 200) << page.body;
    std::string cookie = page.header("set-cookie");
    cookie = cookie.substr(0, cookie.find(';'));
    auto fields = hidden_fields(page.body);
    fields.emplace_back("email", email);
    fields.emplace_back("password", kPassword);
    auto consent = http(port(), "POST", "/oauth/authorize",
                        {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, form(fields));
    EXPECT_EQ(consent.status, 200) << consent.body;
    last_consent_page = consent.body;
    auto submit = hidden_fields(consent.body);
    if (!tenant.empty()) submit.emplace_back("tenant_id", tenant);
    submit.emplace_back("decision", decision);
    return http(port(), "POST", "/oauth/authorize",
                {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, form(submit));
  }
  std::string code_for(const std::string& client_id) {
    auto done = browser_flow(client_id);
    EXPECT_EQ(done.status, 302) << done.body;
    return location_params(done.header("location"))["code"];
  }
  HttpResult token(const std::vector<std::pair<std::string, std::string>>& fields, Headers h = {}) {
    h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return http(port(), "POST", "/oauth/token", h, form(fields));
  }
  HttpResult exchange(const std::string& client_id, const std::string& code, const std::string& verifier = kVerifier) {
    return token({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect},
                  {"client_id", client_id}, {"code_verifier", verifier}});
  }
  int me(const std::string& access) { return http(port(), "GET", "/v1/me", bearer(access)).status; }

  /// A member with a password, through an invitation (new users choose
  /// their password; existing ones confirm theirs). Returns {user_id, key}.
  std::pair<std::string, std::string> add_member(const std::string& inviter_key, const std::string& email,
                                                 const std::string& role) {
    auto invited = http(port(), "POST", "/v1/invitations", bearer(inviter_key),
                        json::serialize(json::object{{"email", email}, {"role", role}}));
    EXPECT_EQ(invited.status, 201) << invited.body;
    if (invited.status != 201) return {};
    auto accepted = http(port(), "POST", "/v1/invitations/accept", {},
                         json::serialize(json::object{{"token", str(invited.json().at("data").at("token"))}, {"password", kPassword}}));
    EXPECT_EQ(accepted.status, 200) << accepted.body;
    if (accepted.status != 200) return {};
    json::value body = accepted.json();  // held: at() returns into it
    const auto& d = body.at("data");
    return {str(d.at("user_id")), d.at("api_key").is_object() ? str(d.at("api_key").at("key")) : std::string()};
  }
  /// The approval of a flow, exchanged: the token response.
  json::object authorized_tokens(const std::string& client_id, const std::string& email = "owner@example.com",
                                 const std::string& scope = "keys:read members:read") {
    auto done = browser_flow(client_id, email, "approve", scope);
    EXPECT_EQ(done.status, 302) << done.body;
    auto t = exchange(client_id, location_params(done.header("location"))["code"]);
    EXPECT_EQ(t.status, 200) << t.body;
    return t.status == 200 ? t.json().as_object() : json::object{};
  }
  /// The grant ids of the tenant, for `user_id`.
  std::vector<std::string> grants_of(const std::string& user_id) {
    std::vector<std::string> out;
    json::value list = http(port(), "GET", "/v1/oauth_grants", bearer(owner.key)).json();  // held while iterated
    for (auto& g : list.at("data").as_array())
      if (str(g.at("user_id")) == user_id) out.push_back(str(g.at("id")));
    return out;
  }

  /// What the token-audience service says of the caller: the resource, "" (none), or null (not an OAuth credential).
  json::value audience_of(const std::string& credential, std::uint16_t on_port = 0) {
    auto r = http(on_port ? on_port : port(), "GET", "/testing/token-audience", bearer(credential));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("data").at("audience") : json::value("<failed>");
  }
  /// An approval with `resource` (when not empty) on the authorization request, exchanged with `token_resource`
  /// (when not empty) on the token request.
  HttpResult tokens_for(const std::string& client_id, const std::string& resource, const std::string& token_resource = {}) {
    std::vector<std::pair<std::string, std::string>> extra;
    if (!resource.empty()) extra.emplace_back("resource", resource);
    auto done = browser_flow(client_id, "owner@example.com", "approve", "keys:read members:read", {}, extra);
    EXPECT_EQ(done.status, 302) << done.body;
    std::vector<std::pair<std::string, std::string>> fields{
        {"grant_type", "authorization_code"}, {"code", location_params(done.header("location"))["code"]},
        {"redirect_uri", kRedirect}, {"client_id", client_id}, {"code_verifier", kVerifier}};
    if (!token_resource.empty()) fields.emplace_back("resource", token_resource);
    return token(fields);
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string config_file;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
  std::string last_consent_page;
};

TEST_P(OAuth, MetadataAdvertisesS256AndTheEndpoints) {
  auto r = http(port(), "GET", "/.well-known/oauth-authorization-server");
  ASSERT_EQ(r.status, 200);
  auto m = r.json();
  std::string base = "http://127.0.0.1:" + std::to_string(port());
  EXPECT_EQ(str(m.at("issuer")), base);
  EXPECT_EQ(str(m.at("token_endpoint")), base + "/oauth/token");
  EXPECT_EQ(str(m.at("authorization_endpoint")), base + "/oauth/authorize");
  EXPECT_EQ(str(m.at("registration_endpoint")), base + "/oauth/register");
  EXPECT_EQ(m.at("code_challenge_methods_supported"), (json::array{"S256"}));
  EXPECT_EQ(m.at("response_types_supported"), (json::array{"code"}));
  EXPECT_TRUE(m.at("authorization_response_iss_parameter_supported").as_bool());
}

TEST_P(OAuth, RegistrationFollowsRfc7591AndTheRedirectRules) {
  auto c = public_client();
  EXPECT_EQ(str(c.at("client_id")).rfind("mcp_", 0), 0u);
  EXPECT_FALSE(c.contains("client_secret"));
  EXPECT_TRUE(c.at("client_id_issued_at").is_int64());
  EXPECT_EQ(str(c.at("token_endpoint_auth_method")), "none");
  EXPECT_EQ(c.at("redirect_uris"), (json::array{kRedirect}));

  auto confidential = register_client({{"client_name", "Server"}, {"redirect_uris", json::array{"https://app.example/cb"}},
                                       {"token_endpoint_auth_method", "client_secret_post"}});
  EXPECT_EQ(str(confidential.at("client_secret")).rfind("mcs_", 0), 0u);
  auto plain = register_client({{"redirect_uris", json::array{"http://localhost:3000/cb"}}});
  EXPECT_EQ(plain.at("token_endpoint_auth_method"), "none");  // the seed's flow: a public client
  EXPECT_FALSE(plain.contains("client_secret"));
  EXPECT_EQ(register_client({{"redirect_uris", json::array{"http://LOCALHOST:3000/cb"}}}).at("client_name"),
            "Unnamed application");

  auto refused = [&](json::object metadata, const std::string& error) {
    auto r = http(port(), "POST", "/oauth/register", {}, json::serialize(metadata));
    EXPECT_EQ(r.status, 400) << json::serialize(metadata) << " " << r.body;
    EXPECT_EQ(str(r.json().at("error")), error) << r.body;
  };
  refused({{"redirect_uris", json::array{"http://app.example/cb"}}}, "invalid_redirect_uri");
  refused({{"redirect_uris", json::array{"https://app.example/cb#frag"}}}, "invalid_redirect_uri");
  refused({{"redirect_uris", json::array{"myapp:/cb"}}}, "invalid_redirect_uri");
  refused({{"redirect_uris", json::array{}}}, "invalid_redirect_uri");
  refused({{"redirect_uris", json::array{kRedirect}}, {"token_endpoint_auth_method", "private_key_jwt"}}, "invalid_client_metadata");
  refused({{"redirect_uris", json::array{kRedirect}}, {"grant_types", json::array{"implicit"}}}, "invalid_client_metadata");
  refused({{"redirect_uris", json::array{kRedirect}}, {"scope", "no:such"}}, "invalid_client_metadata");
  EXPECT_EQ(http(port(), "POST", "/oauth/register", {}, "{nope").status, 400);

  // Binding needs oauth_clients:manage (a viewer's key may not).
  auto viewer = http(port(), "POST", "/v1/api_keys", bearer(owner.key),
                     json::serialize(json::object{{"name", "reader"}, {"scopes", json::array{"keys:read"}}}));
  ASSERT_EQ(viewer.status, 201) << viewer.body;
  auto unbindable = http(port(), "POST", "/oauth/register", bearer(str(viewer.json().at("data").at("key"))),
                         json::serialize(json::object{{"redirect_uris", json::array{kRedirect}}}));
  EXPECT_EQ(unbindable.status, 403) << unbindable.body;

  // A tenant credential binds the client: the tenant lists it.
  auto bound = register_client({{"client_name", "Bound"}, {"redirect_uris", json::array{kRedirect}}}, owner.key);
  auto list = http(port(), "GET", "/v1/oauth_clients", bearer(owner.key));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().at("data").as_array().size(), 1u);
  EXPECT_EQ(list.json().at("data").at(0).at("client_id"), bound.at("client_id"));

  // registration.mode "tenant": the tenant credential is the initial access token.
  restart({{"registration", {{"mode", "tenant"}}}});
  json::object metadata{{"redirect_uris", json::array{kRedirect}}};
  EXPECT_EQ(http(port(), "POST", "/oauth/register", {}, json::serialize(metadata)).status, 401);
  EXPECT_EQ(str(register_client(metadata, owner.key).at("client_id")).rfind("mcp_", 0), 0u);
}

// Hosts that only look like loopback, or hide another host, and forms that are not the
// canonical one: refused at registration, and matching nothing at authorization.
const char* const kHostileRedirects[] = {
    "http://127.0.0.1.evil/cb",     "http://127.0.0.1.example.test:8765/cb", "http://localhost.evil/cb",
    "http://127.0.0.1@evil/cb",     "http://evil@127.0.0.1/cb",              "http://[::1].evil/",
    "http://[::ffff:127.0.0.1]/cb", "http://%31%32%37.0.0.1/cb",             "http://127.0.0.1%2eevil/cb",
    "http://LOCALHOST./cb",         "http://0x7f000001/cb",                  "http://127.1/cb",
    "HTTP://127.0.0.1/cb",          "http://127.0.0.1:99999/cb",             "https://user@app.example/cb",
};

TEST_P(OAuth, HostileRedirectUrisAreRefusedAtRegistrationAndAtAuthorization) {
  restart({{"registration", {{"per_minute_per_address", 1000}}}});
  for (const char* uri : kHostileRedirects) {
    json::object metadata{{"redirect_uris", json::array{uri}}};
    auto r = http(port(), "POST", "/oauth/register", {}, json::serialize(metadata));
    EXPECT_EQ(r.status, 400) << uri << " " << r.body;
    if (r.status == 400) {
      EXPECT_EQ(str(r.json().at("error")), "invalid_redirect_uri") << uri;
    }
    // Next to a good URI, the registration is refused all the same.
    metadata["redirect_uris"] = json::array{kRedirect, uri};
    EXPECT_EQ(http(port(), "POST", "/oauth/register", {}, json::serialize(metadata)).status, 400) << uri;
  }
  // At authorization: a client registered for the loopback callback, asked to send the
  // code to each of them, shows an error page and never redirects.
  std::string client_id = str(public_client().at("client_id"));
  for (const char* uri : kHostileRedirects) {
    auto p = authorize_params(client_id);
    for (auto& [k, v] : p)
      if (k == "redirect_uri") v = uri;
    auto r = http(port(), "GET", "/oauth/authorize?" + form(p));
    EXPECT_EQ(r.status, 400) << uri << " " << r.body;
    EXPECT_TRUE(r.header("location").empty()) << uri;
    EXPECT_NE(r.body.find("not one this application registered"), std::string::npos) << uri;
  }
}

TEST_P(OAuth, AnonymousRegistrationsCannotCrowdOutTenants) {
  json::object metadata{{"redirect_uris", json::array{kRedirect}}};
  auto fill_then_refuse = [&] {
    register_client(metadata);
    auto full = http(port(), "POST", "/oauth/register", {}, json::serialize(metadata));
    EXPECT_EQ(full.status, 403) << full.body;
    EXPECT_EQ(str(full.json().at("error")), "registration_limit_reached");
    // The tenant's own registration has its own cap, and goes through.
    auto bound = http(port(), "POST", "/oauth/register", bearer(owner.key), json::serialize(metadata));
    EXPECT_EQ(bound.status, 201) << bound.body;
  };
  restart({{"registration", {{"max_anonymous_clients", 1}, {"max_clients_per_tenant", 5}}}});
  fill_then_refuse();
  // The deprecated max_clients of older configs still loads, and caps anonymous clients only.
  restart({{"registration", {{"max_clients", 2}}}});
  fill_then_refuse();
  EXPECT_EQ(http(port(), "GET", "/v1/oauth_clients", bearer(owner.key)).json().at("data").as_array().size(), 2u);
  // So do the sign-in limits the identity core took over.
  restart({{"login", {{"failures_per_account", 10}, {"failures_per_address", 50}, {"failure_window_s", 60}}}});
  EXPECT_EQ(str(register_client(metadata).at("client_id")).rfind("mcp_", 0), 0u);
}

TEST_P(OAuth, AnAdminCannotRevokeAnOwnersGrantButTheOwnerCanRevokeTheAdmins) {
  auto admin = add_member(owner.key, "admin@example.com", "admin");
  ASSERT_FALSE(admin.second.empty());
  std::string client_id = str(public_client().at("client_id"));
  std::string owner_access = str(authorized_tokens(client_id).at("access_token"));
  std::string admin_access = str(authorized_tokens(client_id, "admin@example.com").at("access_token"));
  auto owner_grants = grants_of(owner.user_id), admin_grants = grants_of(admin.first);
  ASSERT_EQ(owner_grants.size(), 1u);
  ASSERT_EQ(admin_grants.size(), 1u);

  // The admin holds oauth_clients:manage, but the owner ranks above: 403, and the grant lives.
  auto refused = http(port(), "DELETE", "/v1/oauth_grants/" + owner_grants[0], bearer(admin.second));
  EXPECT_EQ(refused.status, 403) << refused.body;
  if (refused.status == 403) {
    EXPECT_EQ(str(refused.json().at("error").at("details").at("reason")), "role_above_caller");
  }
  EXPECT_EQ(me(owner_access), 200);

  // The owner revokes the admin's grant; the admin may always revoke their own.
  EXPECT_EQ(http(port(), "DELETE", "/v1/oauth_grants/" + admin_grants[0], bearer(owner.key)).status, 200);
  EXPECT_EQ(me(admin_access), 401);
  std::string second = str(authorized_tokens(client_id, "admin@example.com").at("access_token"));
  auto own = grants_of(admin.first);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(http(port(), "DELETE", "/v1/oauth_grants/" + own[0], bearer(admin.second)).status, 200);
  EXPECT_EQ(me(second), 401);
  EXPECT_EQ(me(owner_access), 200);
}

TEST_P(OAuth, TheWholeFlowWithPkceGivesAnAccessTokenThatWorksAsACredential) {
  auto c = public_client();
  std::string client_id = str(c.at("client_id"));

  // The sign-in page: escaped client name, framing forbidden, a CSRF cookie.
  auto page = http(port(), "GET", "/oauth/authorize?" + form(authorize_params(client_id)));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_NE(page.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(page.header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(page.body.find("Test &lt;App&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("Test <App>"), std::string::npos);
  EXPECT_NE(page.body.find("127.0.0.1"), std::string::npos);  // the redirect host
  EXPECT_NE(page.body.find("See keys"), std::string::npos);   // scopes in words

  auto done = browser_flow(client_id);
  ASSERT_EQ(done.status, 302) << done.body;
  std::string location = done.header("location");
  EXPECT_EQ(location.rfind(kRedirect + "?", 0), 0u) << location;
  auto params = location_params(location);
  EXPECT_EQ(params["state"], "st&te 42");
  EXPECT_EQ(params["iss"], "http://127.0.0.1:" + std::to_string(port()));
  ASSERT_FALSE(params["code"].empty());

  auto t = exchange(client_id, params["code"]);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.header("cache-control"), "no-store");
  auto tokens = t.json();
  EXPECT_EQ(str(tokens.at("token_type")), "Bearer");
  EXPECT_EQ(tokens.at("expires_in").as_int64(), 3600);
  EXPECT_EQ(str(tokens.at("scope")), "keys:read members:read");
  std::string access = str(tokens.at("access_token"));
  EXPECT_GE(access.size(), 43u);

  auto who = http(port(), "GET", "/v1/me", bearer(access));
  ASSERT_EQ(who.status, 200) << who.body;
  auto d = who.json().at("data");
  EXPECT_EQ(str(d.at("credential").at("type")), "oauth");
  EXPECT_EQ(str(d.at("user_id")), owner.user_id);
  EXPECT_EQ(str(d.at("tenant_id")), owner.tenant_id);
  EXPECT_EQ(d.at("scopes"), (json::array{"keys:read", "members:read"}));
  EXPECT_EQ(http(port(), "GET", "/v1/api_keys", bearer(access)).status, 200);        // keys:read granted
  EXPECT_EQ(http(port(), "GET", "/v1/oauth_clients", bearer(access)).status, 403);   // not granted

  // The call is audited with credential type oauth.
  EXPECT_TRUE(eventually([&] {
    auto audit = http(port(), "GET", "/v1/audit", bearer(owner.key));
    return audit.body.find("\"oauth\"") != std::string::npos;
  }));
}

TEST_P(OAuth, AuthorizeErrorsRedirectOnlyToARegisteredUri) {
  std::string client_id = str(public_client().at("client_id"));
  auto with = [&](std::vector<std::pair<std::string, std::string>> changes) {
    auto p = authorize_params(client_id);
    for (auto& [k, v] : changes) {
      auto it = std::find_if(p.begin(), p.end(), [&](auto& kv) { return kv.first == k; });
      if (v == "<drop>") {
        if (it != p.end()) p.erase(it);
      } else if (it != p.end()) {
        it->second = v;
      } else {
        p.emplace_back(k, v);
      }
    }
    return http(port(), "GET", "/oauth/authorize?" + form(p));
  };
  auto expect_redirect_error = [&](HttpResult r, const std::string& error) {
    ASSERT_EQ(r.status, 302) << r.body;
    auto params = location_params(r.header("location"));
    EXPECT_EQ(params["error"], error);
    EXPECT_EQ(params["state"], "st&te 42");
    EXPECT_EQ(r.header("location").rfind(kRedirect, 0), 0u);
  };
  auto expect_error_page = [&](HttpResult r, const std::string& error) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(r.header("location").empty()) << r.header("location");
    EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
    EXPECT_NE(r.body.find("invalid request"), std::string::npos) << error << " " << r.body;
  };
  // A client nobody has authorized yet gets no redirect before anyone signed in
  // (RFC 9700 4.11.2): anyone could have registered it to bounce users elsewhere.
  expect_error_page(with({{"response_type", "token"}}), "unsupported_response_type");
  expect_error_page(with({{"code_challenge_method", "plain"}}), "invalid_request");
  expect_error_page(with({{"scope", "no:such"}}), "invalid_scope");
  {  // the same on the sign-in form's POST
    auto page = http(port(), "GET", "/oauth/authorize?" + form(authorize_params(client_id)));
    std::string cookie = page.header("set-cookie").substr(0, page.header("set-cookie").find(';'));
    auto fields = hidden_fields(page.body);
    for (auto& [k, v] : fields)
      if (k == "response_type") v = "token";
    fields.emplace_back("email", "owner@example.com");
    fields.emplace_back("password", kPassword);
    expect_error_page(http(port(), "POST", "/oauth/authorize",
                           {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, form(fields)),
                      "unsupported_response_type");
  }
  // Denying does not make it authorized, but the user acted: access_denied goes back.
  expect_redirect_error(browser_flow(client_id, "owner@example.com", "deny"), "access_denied");
  expect_error_page(with({{"response_type", "token"}}), "unsupported_response_type");

  // Once a user approved it, errors go back to the client (RFC 6749 4.1.2.1), also after the grant is revoked.
  ASSERT_EQ(browser_flow(client_id).status, 302);
  auto grants = http(port(), "GET", "/v1/oauth_grants", bearer(owner.key)).json().at("data").as_array();
  ASSERT_EQ(grants.size(), 1u);
  ASSERT_EQ(http(port(), "DELETE", "/v1/oauth_grants/" + str(grants.at(0).at("id")), bearer(owner.key)).status, 200);
  expect_redirect_error(with({{"code_challenge_method", "plain"}}), "invalid_request");
  expect_redirect_error(with({{"code_challenge_method", "<drop>"}}), "invalid_request");
  expect_redirect_error(with({{"code_challenge", "<drop>"}}), "invalid_request");
  expect_redirect_error(with({{"response_type", "token"}}), "unsupported_response_type");
  expect_redirect_error(with({{"scope", "keys:manage"}}), "invalid_scope");  // not registered by the client
  expect_redirect_error(with({{"scope", "no:such"}}), "invalid_scope");

  // Never redirect to an unregistered URI or for an unknown client: an error page.
  for (auto r : {with({{"redirect_uri", "http://127.0.0.1:9/other"}}), with({{"redirect_uri", "https://evil.example/cb"}}),
                 with({{"client_id", "mcp_unknown"}})}) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(r.header("location").empty());
    EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
  }

  // A form without the cookie's CSRF token is refused.
  auto page = http(port(), "GET", "/oauth/authorize?" + form(authorize_params(client_id)));
  auto fields = hidden_fields(page.body);
  fields.emplace_back("email", "owner@example.com");
  fields.emplace_back("password", kPassword);
  auto forged = http(port(), "POST", "/oauth/authorize", {{"Content-Type", "application/x-www-form-urlencoded"}}, form(fields));
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.body.find("login_ticket"), std::string::npos);
  // A cookie of another browser does not match this form's token either.
  auto mismatched = http(port(), "POST", "/oauth/authorize",
                         {{"Cookie", "ambit_oauth_csrf=" + std::string(43, 'A')}, {"Content-Type", "application/x-www-form-urlencoded"}},
                         form(fields));
  EXPECT_EQ(mismatched.status, 403);

  // Loopback redirect URIs match on any port (RFC 8252 7.3): the code goes to the port asked for.
  auto p = authorize_params(client_id);
  for (auto& [k, v] : p)
    if (k == "redirect_uri") v = "http://127.0.0.1:5555/callback";
  auto other_port = http(port(), "GET", "/oauth/authorize?" + form(p));
  EXPECT_EQ(other_port.status, 200) << other_port.body;
  for (auto& [k, v] : p)
    if (k == "redirect_uri") v = "http://127.0.0.1:5555/elsewhere";
  EXPECT_EQ(http(port(), "GET", "/oauth/authorize?" + form(p)).status, 400);
}

TEST_P(OAuth, FailedSignInsAreRefusedThenSlowedDownProgressively) {
  std::string client_id = str(public_client().at("client_id"));
  auto page = http(port(), "GET", "/oauth/authorize?" + form(authorize_params(client_id)));
  std::string cookie = page.header("set-cookie").substr(0, page.header("set-cookie").find(';'));
  auto attempt = [&](const std::string& password, const std::string& email = "owner@example.com") {
    auto fields = hidden_fields(page.body);
    fields.emplace_back("email", email);
    fields.emplace_back("password", password);
    return http(port(), "POST", "/oauth/authorize",
                {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, form(fields));
  };
  auto retry_after = [](const HttpResult& r) { return r.header("retry-after").empty() ? 0 : std::stoi(r.header("retry-after")); };
  // The identity core's budget: five free failures per account.
  for (int i = 0; i < 5; ++i) {
    auto r = attempt("wrong password " + std::to_string(i));
    ASSERT_EQ(r.status, 400) << i << r.body;
    EXPECT_NE(r.body.find("Wrong email or password"), std::string::npos);
  }
  // Then each failure makes the next attempt wait longer (1 s, 2 s, 4 s, ...). Password
  // checks take real time, so keep failing until a wait of more than a second is left.
  HttpResult limited;
  for (int i = 0; i < 12; ++i) {
    limited = attempt("still wrong " + std::to_string(i));
    if (limited.status == 429 && retry_after(limited) >= 2) break;
    if (limited.status == 429) std::this_thread::sleep_for(1100ms);  // the wait ends; the next failure doubles it
  }
  ASSERT_EQ(limited.status, 429) << limited.body;
  int wait = retry_after(limited);
  EXPECT_GE(wait, 2);
  EXPECT_LE(wait, 300);  // the ceiling: a slowed account is never locked out for long
  EXPECT_NE(limited.body.find("Too many sign-in attempts"), std::string::npos);
  EXPECT_NE(limited.header("content-type").find("text/html"), std::string::npos);
  // Even the right password waits now, also spelled differently (the same account).
  auto right = attempt(kPassword);
  EXPECT_EQ(right.status, 429);
  EXPECT_GE(retry_after(right), 1);
  EXPECT_EQ(attempt(kPassword, "  Owner@Example.com ").status, 429);
  // Once the wait has passed, the right password signs in: no fifteen-minute lock.
  set_clock_offset((wait + 1) * 1000LL);
  auto signed_in = attempt(kPassword);
  EXPECT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_NE(signed_in.body.find("login_ticket"), std::string::npos);
  set_clock_offset(0);
}

TEST_P(OAuth, CodesAreSingleUseAndBoundToClientRedirectAndVerifier) {
  std::string client_id = str(public_client().at("client_id"));
  std::string other_id = str(public_client().at("client_id"));

  std::string code = code_for(client_id);
  auto bad = exchange(client_id, code, kVerifier + "x");  // wrong verifier burns the code
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(str(bad.json().at("error")), "invalid_grant");

  code = code_for(client_id);
  EXPECT_EQ(str(exchange(other_id, code).json().at("error")), "invalid_grant");  // another client
  auto wrong_redirect = token({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", "http://127.0.0.1:9/x"},
                               {"client_id", client_id}, {"code_verifier", kVerifier}});
  EXPECT_EQ(str(wrong_redirect.json().at("error")), "invalid_grant");

  // A reused code revokes every token issued from it.
  code = code_for(client_id);
  auto first = exchange(client_id, code);
  ASSERT_EQ(first.status, 200) << first.body;
  std::string access = str(first.json().at("access_token"));
  ASSERT_EQ(me(access), 200);
  auto again = exchange(client_id, code);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(str(again.json().at("error")), "invalid_grant");
  EXPECT_EQ(me(access), 401);
  auto refreshed = token({{"grant_type", "refresh_token"}, {"refresh_token", str(first.json().at("refresh_token"))},
                          {"client_id", client_id}});
  EXPECT_EQ(str(refreshed.json().at("error")), "invalid_grant");

  // A code lives at most 60 seconds.
  code = code_for(client_id);
  set_clock_offset(61000);
  auto late = exchange(client_id, code);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(str(late.json().at("error")), "invalid_grant");
  set_clock_offset(0);

  // Token endpoint errors (RFC 6749 5.2).
  EXPECT_EQ(str(token({{"grant_type", "password"}, {"client_id", client_id}}).json().at("error")), "unsupported_grant_type");
  EXPECT_EQ(str(token({{"client_id", client_id}}).json().at("error")), "invalid_request");
  EXPECT_EQ(str(token({{"grant_type", "authorization_code"}, {"client_id", client_id}}).json().at("error")), "invalid_request");
  auto unknown = token({{"grant_type", "authorization_code"}, {"client_id", "mcp_nobody"}, {"code", "x"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(str(unknown.json().at("error")), "invalid_client");
}

TEST_P(OAuth, RefreshTokensRotateAndAReusedOneRevokesTheGrant) {
  std::string client_id = str(public_client().at("client_id"));
  auto first = exchange(client_id, code_for(client_id)).json();
  auto refresh = [&](const std::string& rt) {
    return token({{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", client_id}});
  };
  auto second = refresh(str(first.at("refresh_token")));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(second.json().at("refresh_token"), first.at("refresh_token"));
  std::string access2 = str(second.json().at("access_token"));
  EXPECT_EQ(me(access2), 200);
  EXPECT_EQ(me(str(first.at("access_token"))), 200);  // access tokens live until they expire

  auto too_wide = token({{"grant_type", "refresh_token"}, {"refresh_token", str(second.json().at("refresh_token"))},
                         {"client_id", client_id}, {"scope", "keys:read keys:manage"}});
  EXPECT_EQ(str(too_wide.json().at("error")), "invalid_scope");  // and the token stays usable
  auto narrowed = token({{"grant_type", "refresh_token"}, {"refresh_token", str(second.json().at("refresh_token"))},
                         {"client_id", client_id}, {"scope", "keys:read"}});
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(str(narrowed.json().at("scope")), "keys:read");
  // The old refresh token comes back after its reuse grace (10 s by default): the whole grant ends.
  set_clock_offset(11000);
  auto replay = refresh(str(first.at("refresh_token")));
  set_clock_offset(0);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(str(replay.json().at("error")), "invalid_grant");
  EXPECT_EQ(me(access2), 401);
  EXPECT_EQ(me(str(narrowed.json().at("access_token"))), 401);
  EXPECT_EQ(refresh(str(narrowed.json().at("refresh_token"))).status, 400);
}

TEST_P(OAuth, ConfidentialClientsAuthenticateRevokeAndIntrospect) {
  auto c = register_client({{"client_name", "Server app"}, {"redirect_uris", json::array{kRedirect}},
                            {"token_endpoint_auth_method", "client_secret_basic"}, {"scope", "keys:read"}});
  std::string id = str(c.at("client_id")), secret = str(c.at("client_secret"));
  Headers basic{{"Authorization", "Basic " + Botan::base64_encode(reinterpret_cast<const std::uint8_t*>((id + ":" + secret).data()),
                                                                   id.size() + secret.size() + 1)}};
  Headers wrong{{"Authorization", "Basic " + Botan::base64_encode(reinterpret_cast<const std::uint8_t*>((id + ":mcs_x").data()),
                                                                   id.size() + 6)}};
  auto done = browser_flow(id, "owner@example.com", "approve", "keys:read");
  std::string code = location_params(done.header("location"))["code"];
  std::vector<std::pair<std::string, std::string>> body{{"grant_type", "authorization_code"}, {"code", code},
                                                        {"redirect_uri", kRedirect}, {"code_verifier", kVerifier}};
  auto refused = token(body, wrong);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(str(refused.json().at("error")), "invalid_client");
  EXPECT_FALSE(refused.header("www-authenticate").empty());
  auto no_secret = token({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect},
                          {"code_verifier", kVerifier}, {"client_id", id}});
  EXPECT_EQ(no_secret.status, 401);
  auto t = token(body, basic);
  ASSERT_EQ(t.status, 200) << t.body;
  std::string access = str(t.json().at("access_token")), refresh = str(t.json().at("refresh_token"));

  auto introspect = [&](const std::string& tok) {
    Headers h = basic;
    h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return http(port(), "POST", "/oauth/introspect", h, form({{"token", tok}})).json();
  };
  auto info = introspect(access);
  EXPECT_TRUE(info.at("active").as_bool());
  EXPECT_EQ(str(info.at("scope")), "keys:read");
  EXPECT_EQ(str(info.at("sub")), owner.user_id);
  EXPECT_EQ(str(info.at("client_id")), id);
  EXPECT_FALSE(introspect("amb_oat_unknown").at("active").as_bool());

  // Revoking the access token ends it at once; revoking the refresh token ends the grant.
  Headers h = basic;
  h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  ASSERT_EQ(me(access), 200);
  EXPECT_EQ(http(port(), "POST", "/oauth/revoke", h, form({{"token", access}})).status, 200);
  EXPECT_EQ(me(access), 401);
  EXPECT_FALSE(introspect(access).at("active").as_bool());
  EXPECT_TRUE(introspect(refresh).at("active").as_bool());
  EXPECT_EQ(http(port(), "POST", "/oauth/revoke", h, form({{"token", refresh}})).status, 200);
  EXPECT_FALSE(introspect(refresh).at("active").as_bool());
  EXPECT_EQ(http(port(), "POST", "/oauth/revoke", h, form({{"token", "whatever"}})).status, 200);  // RFC 7009

  // A public client cannot introspect.
  std::string pub = str(public_client().at("client_id"));
  auto r = http(port(), "POST", "/oauth/introspect", {{"Content-Type", "application/x-www-form-urlencoded"}},
                form({{"token", access}, {"client_id", pub}}));
  EXPECT_EQ(r.status, 401);
}

TEST_P(OAuth, DeletingAClientEndsEveryTokenAndOnlyItsTenantMayDoIt) {
  auto c = register_client({{"client_name", "Bound"}, {"redirect_uris", json::array{kRedirect}},
                            {"token_endpoint_auth_method", "none"}, {"scope", "keys:read"}},
                           owner.key);
  std::string id = str(c.at("client_id"));
  auto tokens = exchange(id, location_params(browser_flow(id, "owner@example.com", "approve", "keys:read").header("location"))["code"]).json();
  std::string access = str(tokens.at("access_token"));
  ASSERT_EQ(me(access), 200);

  auto grants = http(port(), "GET", "/v1/oauth_grants", bearer(owner.key));
  ASSERT_EQ(grants.status, 200);
  ASSERT_EQ(grants.json().at("data").as_array().size(), 1u);
  EXPECT_EQ(str(grants.json().at("data").at(0).at("client_name")), "Bound");

  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  EXPECT_EQ(http(port(), "DELETE", "/v1/oauth_clients/" + id, bearer(other.key)).status, 404);
  std::string grant_id = str(grants.json().at("data").at(0).at("id"));
  EXPECT_EQ(http(port(), "DELETE", "/v1/oauth_grants/" + grant_id, bearer(other.key)).status, 404);
  EXPECT_TRUE(http(port(), "GET", "/v1/oauth_grants", bearer(other.key)).json().at("data").as_array().empty());

  // Revoking one grant ends its tokens; the client stays.
  auto second = exchange(id, location_params(browser_flow(id, "owner@example.com", "approve", "keys:read").header("location"))["code"]).json();
  std::string second_access = str(second.at("access_token"));
  ASSERT_EQ(me(second_access), 200);
  ASSERT_EQ(http(port(), "DELETE", "/v1/oauth_grants/" + grant_id, bearer(owner.key)).status, 200);
  EXPECT_EQ(me(access), 401);
  EXPECT_EQ(me(second_access), 200);
  access = second_access;
  EXPECT_EQ(me(access), 200);
  auto deleted = http(port(), "DELETE", "/v1/oauth_clients/" + id, bearer(owner.key));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(me(access), 401);
  auto refreshed = token({{"grant_type", "refresh_token"}, {"refresh_token", str(tokens.at("refresh_token"))}, {"client_id", id}});
  EXPECT_EQ(refreshed.status, 401);  // the client is gone
  EXPECT_TRUE(http(port(), "GET", "/v1/oauth_grants", bearer(owner.key)).json().at("data").as_array().empty());
  EXPECT_EQ(http(port(), "DELETE", "/v1/oauth_clients/" + id, bearer(owner.key)).status, 404);
  EXPECT_EQ(http(port(), "GET", "/oauth/authorize?" + form(authorize_params(id, "keys:read"))).status, 400);
}

TEST_P(OAuth, ATokensScopesAreTheGrantedOnesThatTheUsersRoleHolds) {
  // A viewer in the owner's tenant, with a password.
  std::string viewer_id = add_member(owner.key, "viewer@example.com", "viewer").first;
  ASSERT_FALSE(viewer_id.empty());
  std::string client_id = str(public_client("keys:read keys:manage members:read").at("client_id"));
  auto done = browser_flow(client_id, "viewer@example.com", "approve", "keys:read keys:manage members:read");
  ASSERT_EQ(done.status, 302) << done.body;
  auto t = exchange(client_id, location_params(done.header("location"))["code"]);
  ASSERT_EQ(t.status, 200) << t.body;
  auto who = http(port(), "GET", "/v1/me", bearer(str(t.json().at("access_token"))));
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(who.json().at("data").at("scopes"), (json::array{"keys:read", "members:read"}));  // no keys:manage for a viewer
  EXPECT_EQ(str(who.json().at("data").at("role")), "viewer");

  // Removing the user from the tenant ends the token at once, and adding them back does not revive it.
  ASSERT_EQ(http(port(), "DELETE", "/v1/users/" + viewer_id, bearer(owner.key)).status / 100, 2);
  EXPECT_EQ(me(str(t.json().at("access_token"))), 401);
  ASSERT_EQ(add_member(owner.key, "viewer@example.com", "viewer").first, viewer_id);
  EXPECT_EQ(me(str(t.json().at("access_token"))), 401);
  auto refreshed = token({{"grant_type", "refresh_token"}, {"refresh_token", str(t.json().at("refresh_token"))},
                          {"client_id", client_id}});
  EXPECT_EQ(str(refreshed.json().at("error")), "invalid_grant");
}

TEST_P(OAuth, AMemberOfSeveralTenantsPicksTheWorkspace) {
  auto other = create_tenant(port(), owner.key, "multi@example.com", "Second workspace");
  // multi@example.com is a viewer in the owner's tenant and the owner of "Second workspace"; give them a password
  // through a fresh user instead: the owner joins the second tenant.
  ASSERT_EQ(add_member(other.key, "owner@example.com", "editor").first, owner.user_id);
  std::string client_id = str(public_client().at("client_id"));
  auto page = http(port(), "GET", "/oauth/authorize?" + form(authorize_params(client_id)));
  std::string cookie = page.header("set-cookie").substr(0, page.header("set-cookie").find(';'));
  auto fields = hidden_fields(page.body);
  fields.emplace_back("email", "owner@example.com");
  fields.emplace_back("password", kPassword);
  auto consent = http(port(), "POST", "/oauth/authorize",
                      {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}}, form(fields));
  ASSERT_EQ(consent.status, 200);
  EXPECT_NE(consent.body.find("<select"), std::string::npos);
  EXPECT_NE(consent.body.find("Second workspace"), std::string::npos);

  auto done = browser_flow(client_id, "owner@example.com", "approve", "keys:read members:read", other.tenant_id);
  ASSERT_EQ(done.status, 302) << done.body;
  auto t = exchange(client_id, location_params(done.header("location"))["code"]);
  auto who = http(port(), "GET", "/v1/me", bearer(str(t.json().at("access_token")))).json();
  EXPECT_EQ(str(who.at("data").at("tenant_id")), other.tenant_id);
  EXPECT_EQ(str(who.at("data").at("role")), "editor");

  // A workspace the user is not in is refused.
  auto stranger = browser_flow(client_id, "owner@example.com", "approve", "keys:read members:read", "ten_not_mine");
  EXPECT_EQ(stranger.status, 403);
}

TEST_P(OAuth, RegistrationIsRateLimitedCappedAndIdleClientsAreReaped) {
  restart({{"registration", {{"per_minute_per_address", 4}, {"max_anonymous_clients", 5}, {"max_clients_per_tenant", 1},
                             {"idle_client_days", 1}, {"reap_interval_s", 1}}}});
  json::object metadata{{"redirect_uris", json::array{kRedirect}}, {"token_endpoint_auth_method", "none"}};
  std::string idle = str(register_client(metadata).at("client_id"));
  std::string kept = str(register_client(metadata).at("client_id"));  // authorized, then left alone
  ASSERT_EQ(exchange(kept, code_for(kept)).status, 200);
  register_client(metadata, owner.key);
  auto tenant_cap = http(port(), "POST", "/oauth/register", bearer(owner.key), json::serialize(metadata));
  EXPECT_EQ(tenant_cap.status, 403) << tenant_cap.body;
  EXPECT_EQ(str(tenant_cap.json().at("error")), "registration_limit_reached");
  auto limited = http(port(), "POST", "/oauth/register", {}, json::serialize(metadata));
  EXPECT_EQ(limited.status, 429);  // the fifth registration from this address within a minute
  EXPECT_EQ(limited.header("retry-after"), "60");

  // Two days on: never-used clients are reaped (bound or not); one used since then stays.
  set_clock_offset(2 * 24 * 3600 * 1000LL);
  std::string fresh = str(register_client(metadata).at("client_id"));
  auto used = exchange(fresh, code_for(fresh));
  ASSERT_EQ(used.status, 200) << used.body;
  auto authorize = [&](const std::string& id) {
    return http(port(), "GET", "/oauth/authorize?" + form(authorize_params(id))).status;
  };
  EXPECT_TRUE(eventually([&] { return authorize(idle) == 400; })) << "the idle client was not reaped";
  EXPECT_EQ(authorize(fresh), 200);
  EXPECT_EQ(authorize(kept), 200);  // a client with a grant is never idle: its refresh tokens live until revoked
  EXPECT_TRUE(http(port(), "GET", "/v1/oauth_clients", bearer(owner.key)).json().at("data").as_array().empty());

  // The global cap counts what is left: kept and fresh, then three more.
  register_client(metadata);
  register_client(metadata);
  set_clock_offset(2 * 24 * 3600 * 1000LL + 61000);  // a new rate limit window
  register_client(metadata);
  auto capped = http(port(), "POST", "/oauth/register", {}, json::serialize(metadata));
  EXPECT_EQ(capped.status, 403) << capped.body;  // max_anonymous_clients 5

  // Access tokens expire after an hour.
  std::string access = str(used.json().at("access_token"));
  EXPECT_EQ(me(access), 200);
  set_clock_offset(2 * 24 * 3600 * 1000LL + 3662 * 1000LL);
  EXPECT_TRUE(eventually([&] { return me(access) == 401; }));
}

TEST_P(OAuth, OperatorsPurgeClientsFromTheCommandLine) {
  auto purge = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"command", "auth-oauth.purge-clients"});
    args.insert(args.end(), {"--config", config_file});
    return run_ambit(args);
  };
  auto purged = [](const ProcessResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).as_object() : json::object{};
  };
  auto authorize = [&](const std::string& id) {
    return http(port(), "GET", "/oauth/authorize?" + form(authorize_params(id))).status;
  };
  json::object metadata{{"redirect_uris", json::array{kRedirect}}, {"scope", "keys:read members:read"}};
  std::string idle = str(register_client(metadata).at("client_id"));
  std::string used = str(register_client(metadata).at("client_id"));
  std::string bound = str(register_client(metadata, owner.key).at("client_id"));
  auto tokens = authorized_tokens(used);
  std::string cached = str(tokens.at("access_token"));
  ASSERT_EQ(me(cached), 200);  // now in the server's cache
  std::string fresh = str(authorized_tokens(used).at("access_token"));  // never presented: not cached

  // Nothing is purged by omission; unknown options are refused.
  EXPECT_EQ(purge({}).exit_code, 2);
  EXPECT_EQ(purge({"--dry-run"}).exit_code, 2);
  EXPECT_EQ(purge({"--anonymous", "--everything"}).exit_code, 2);
  EXPECT_EQ(purge({"--idle-days", "soon"}).exit_code, 2);

  // A dry run lists and deletes nothing.
  auto dry = purged(purge({"--anonymous", "--never-authorized", "--dry-run"}));
  EXPECT_EQ(dry.at("purged"), 0);
  EXPECT_EQ(dry.at("matched"), 1);
  EXPECT_EQ(dry.at("clients"), (json::array{idle}));
  EXPECT_EQ(authorize(idle), 200);

  // Anonymous and never authorized: only `idle` (`used` was approved, `bound` has a tenant).
  auto first = purged(purge({"--anonymous", "--never-authorized"}));
  EXPECT_EQ(first.at("purged"), 1);
  EXPECT_EQ(first.at("clients"), (json::array{idle}));
  EXPECT_EQ(authorize(idle), 400);
  EXPECT_EQ(authorize(used), 200);
  EXPECT_EQ(authorize(bound), 200);

  // One client by id: it goes as DELETE /v1/oauth_clients/:id does it, grants and tokens with it.
  auto second = purged(purge({"--client", used, "--client", "mcp_nobody"}));
  EXPECT_EQ(second.at("purged"), 1);
  EXPECT_EQ(second.at("clients"), (json::array{used}));
  EXPECT_EQ(authorize(used), 400);
  EXPECT_EQ(me(fresh), 401);
  auto refreshed = token({{"grant_type", "refresh_token"}, {"refresh_token", str(tokens.at("refresh_token"))}, {"client_id", used}});
  EXPECT_EQ(refreshed.status, 401);  // the client is gone
  EXPECT_TRUE(http(port(), "GET", "/v1/oauth_grants", bearer(owner.key)).json().at("data").as_array().empty());
  // The server's cached token ends too: at once through the event on PostgreSQL; on SQLite
  // (no events between processes) when the cache re-reads it, within a minute.
  if (GetParam() == Backend::sqlite) set_clock_offset(61000);
  EXPECT_TRUE(eventually([&] { return me(cached) == 401; }, 2s));

  // Idle for more than two days (never used: since registration); a newer client stays.
  set_clock_offset(3 * 24 * 3600 * 1000LL);
  std::string newer = str(register_client(metadata).at("client_id"));
  auto third = purged(purge({"--idle-days", "2"}));
  EXPECT_EQ(third.at("clients"), (json::array{bound}));
  EXPECT_EQ(authorize(bound), 400);
  EXPECT_EQ(authorize(newer), 200);
  EXPECT_EQ(purged(purge({"--idle-days", "2"})).at("purged"), 0);
}

// RFC 8707: a client names the resource (the MCP server at <public_url>/mcp)
// its tokens are for; the token-audience service tells that resource of the
// principal each token resolves to.
TEST_P(OAuth, AResourceIndicatorBindsTheTokensToThatResource) {
  std::string client_id = str(public_client().at("client_id"));
  const std::string mcp = base() + "/mcp";

  // Named on both requests: the consent page says which, and the service tells it of the token's principal.
  auto t = tokens_for(client_id, mcp, mcp);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_NE(last_consent_page.find("wants access to <strong id=\"resource\">" + mcp + "</strong>"), std::string::npos)
      << last_consent_page;
  std::string access = str(t.json().at("access_token"));
  EXPECT_EQ(audience_of(access), json::value(mcp));
  EXPECT_EQ(audience_of(access), json::value(mcp));  // the cached principal: from memory
  EXPECT_EQ(me(access), 200);                        // still a credential on every route

  // Named nowhere: issued for no resource in particular. An API key is not this service's credential type.
  auto plain = tokens_for(client_id, "");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(audience_of(str(plain.json().at("access_token"))), json::value(""));
  EXPECT_EQ(last_consent_page.find("wants access to"), std::string::npos);
  EXPECT_TRUE(audience_of(owner.key).is_null());

  // Named on the authorization request only: the token request may leave it out.
  auto authorized_only = tokens_for(client_id, mcp);
  ASSERT_EQ(authorized_only.status, 200) << authorized_only.body;
  EXPECT_EQ(audience_of(str(authorized_only.json().at("access_token"))), json::value(mcp));
  // Named on the token request only: checked the same way, then bound. A trailing slash names the same resource.
  auto token_only = tokens_for(client_id, "", mcp + "/");
  ASSERT_EQ(token_only.status, 200) << token_only.body;
  EXPECT_EQ(audience_of(str(token_only.json().at("access_token"))), json::value(mcp));
  // The server itself, as a URL parser writes its bare origin.
  auto root = tokens_for(client_id, base() + "/", base());
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(audience_of(str(root.json().at("access_token"))), json::value(base()));

  // A refresh keeps the grant's audience; naming another resource is refused and leaves the token usable.
  auto refresh = [&](const std::string& rt, const std::string& resource) {
    std::vector<std::pair<std::string, std::string>> f{{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", client_id}};
    if (!resource.empty()) f.emplace_back("resource", resource);
    return token(f);
  };
  std::string rt = str(t.json().at("refresh_token"));
  for (const std::string& other : {base() + "/other", base(), std::string("https://evil.example/mcp")}) {
    auto refused = refresh(rt, other);
    EXPECT_EQ(refused.status, 400) << other;
    EXPECT_EQ(str(refused.json().at("error")), "invalid_target") << other;
    EXPECT_FALSE(refused.json().as_object().contains("access_token"));
  }
  auto same = refresh(rt, mcp + "/");
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(audience_of(str(same.json().at("access_token"))), json::value(mcp));
  auto unnamed = refresh(str(same.json().at("refresh_token")), "");
  ASSERT_EQ(unnamed.status, 200) << unnamed.body;
  EXPECT_EQ(audience_of(str(unnamed.json().at("access_token"))), json::value(mcp));
  // A grant issued for no resource cannot take one at a refresh.
  auto late = refresh(str(plain.json().at("refresh_token")), mcp);
  EXPECT_EQ(str(late.json().at("error")), "invalid_target");

  // Introspection tells the audience (RFC 7662 aud) to a confidential client.
  auto c = register_client({{"client_name", "Server app"}, {"redirect_uris", json::array{kRedirect}},
                            {"token_endpoint_auth_method", "client_secret_post"}, {"scope", "keys:read"}});
  std::string id = str(c.at("client_id")), secret = str(c.at("client_secret"));
  auto done = browser_flow(id, "owner@example.com", "approve", "keys:read", {}, {{"resource", mcp}});
  auto ct = token({{"grant_type", "authorization_code"}, {"code", location_params(done.header("location"))["code"]},
                   {"redirect_uri", kRedirect}, {"client_id", id}, {"client_secret", secret}, {"code_verifier", kVerifier}});
  ASSERT_EQ(ct.status, 200) << ct.body;
  for (const char* kind : {"access_token", "refresh_token"}) {
    auto info = http(port(), "POST", "/oauth/introspect", {{"Content-Type", "application/x-www-form-urlencoded"}},
                     form({{"token", str(ct.json().at(kind))}, {"client_id", id}, {"client_secret", secret}}));
    ASSERT_EQ(info.status, 200) << info.body;
    EXPECT_TRUE(info.json().at("active").as_bool()) << kind;
    EXPECT_EQ(str(info.json().at("aud")), mcp) << kind;
  }
}

TEST_P(OAuth, AResourceOfAnotherServerOrNotTheOneAuthorizedIsInvalidTarget) {
  std::string client_id = str(public_client().at("client_id"));
  const std::string mcp = base() + "/mcp";
  auto authorize = [&](const std::vector<std::pair<std::string, std::string>>& extra) {
    auto params = authorize_params(client_id);
    params.insert(params.end(), extra.begin(), extra.end());
    return http(port(), "GET", "/oauth/authorize?" + form(params));
  };
  const std::vector<std::vector<std::pair<std::string, std::string>>> refused = {
      {{"resource", "https://evil.example/mcp"}},
      {{"resource", mcp + "#fragment"}},
      {{"resource", mcp + "?x=1"}},
      {{"resource", "/mcp"}},
      {{"resource", ""}},
      {{"resource", "http://localhost:" + std::to_string(port()) + "/mcp"}},
      {{"resource", base() + "/mcp/../admin"}},
      {{"resource", mcp}, {"resource", base()}},  // one resource only
  };

  // A client nobody authorized yet: the error page, never a redirect.
  auto page = authorize(refused[0]);
  EXPECT_EQ(page.status, 400);
  EXPECT_NE(page.body.find("resource must be an absolute URI of this server"), std::string::npos) << page.body;
  EXPECT_TRUE(page.header("location").empty());

  // Once some user approved the client, the errors go back to it: invalid_target (RFC 8707 2).
  ASSERT_EQ(tokens_for(client_id, "").status, 200);
  for (auto& extra : refused) {
    auto r = authorize(extra);
    ASSERT_EQ(r.status, 302) << extra.front().second << r.body;
    auto p = location_params(r.header("location"));
    EXPECT_EQ(p["error"], "invalid_target") << extra.front().second;
    EXPECT_EQ(p["state"], "st&te 42");
    EXPECT_EQ(p["iss"], base());
  }
  EXPECT_EQ(authorize({{"state", "again"}}).status, 400);  // any other repeated parameter: the error page, as before

  // The sign-in is bound to the resource it was for: a consent form whose resource was swapped is refused.
  auto page2 = authorize({{"resource", mcp}});
  ASSERT_EQ(page2.status, 200) << page2.body;
  std::string cookie = page2.header("set-cookie").substr(0, page2.header("set-cookie").find(';'));
  auto sign_in = hidden_fields(page2.body);
  sign_in.emplace_back("email", "owner@example.com");
  sign_in.emplace_back("password", kPassword);
  const Headers form_cookie{{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}};
  auto consent = http(port(), "POST", "/oauth/authorize", form_cookie, form(sign_in));
  ASSERT_EQ(consent.status, 200) << consent.body;
  auto swapped = hidden_fields(consent.body);
  for (auto& [k, v] : swapped)
    if (k == "resource") v = base();
  swapped.emplace_back("decision", "approve");
  auto refused_consent = http(port(), "POST", "/oauth/authorize", form_cookie, form(swapped));
  EXPECT_EQ(refused_consent.status, 400);
  EXPECT_NE(refused_consent.body.find("Your sign-in expired"), std::string::npos);

  // A token request naming another resource than the one authorized: invalid_target, no token, and the
  // code is spent like any failed exchange.
  auto done = browser_flow(client_id, "owner@example.com", "approve", "keys:read members:read", {}, {{"resource", mcp}});
  std::string code = location_params(done.header("location"))["code"];
  std::vector<std::pair<std::string, std::string>> exchange_fields{{"grant_type", "authorization_code"}, {"code", code},
                                                                   {"redirect_uri", kRedirect}, {"client_id", client_id},
                                                                   {"code_verifier", kVerifier}};
  auto with_resource = [&](std::vector<std::pair<std::string, std::string>> fields, const std::vector<std::string>& resources) {
    for (auto& r : resources) fields.emplace_back("resource", r);
    return token(fields);
  };
  auto wrong = with_resource(exchange_fields, {base() + "/other"});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(str(wrong.json().at("error")), "invalid_target");
  EXPECT_FALSE(wrong.json().as_object().contains("access_token"));
  auto retry = with_resource(exchange_fields, {mcp});
  EXPECT_EQ(str(retry.json().at("error")), "invalid_grant");

  // A resource that is not this server's, or several, is refused before the code is looked at: the code still works.
  done = browser_flow(client_id, "owner@example.com", "approve", "keys:read members:read", {}, {{"resource", mcp}});
  exchange_fields[1].second = location_params(done.header("location"))["code"];
  for (const std::vector<std::string>& resources : std::vector<std::vector<std::string>>{
           {"https://evil.example/mcp"}, {mcp + "#x"}, {""}, {mcp, mcp}}) {
    auto r = with_resource(exchange_fields, resources);
    EXPECT_EQ(r.status, 400) << resources.front();
    EXPECT_EQ(str(r.json().at("error")), "invalid_target") << resources.front();
  }
  auto ok = with_resource(exchange_fields, {mcp});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(audience_of(str(ok.json().at("access_token"))), json::value(mcp));

  // Authorized without a resource: the token request cannot bind another server's.
  auto unbound = tokens_for(client_id, "", "https://evil.example/mcp");
  EXPECT_EQ(str(unbound.json().at("error")), "invalid_target");
}

// Several processes of one app share a refresh token and refresh at once:
// the rotated token works once more within refresh_reuse_grace_seconds.
TEST_P(OAuth, ARotatedRefreshTokenWorksOnceMoreWithinTheGraceAndItsNextReuseRevokesTheGrant) {
  std::string client_id = str(public_client().at("client_id"));
  const std::string mcp = base() + "/mcp";
  auto refresh = [&](const std::string& rt, std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.insert(extra.begin(), {{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", client_id}});
    return token(extra);
  };
  auto credential_id = [&](const std::string& access) {
    return str(http(port(), "GET", "/v1/me", bearer(access)).json().at("data").at("credential").at("id"));
  };
  auto t = tokens_for(client_id, mcp);
  ASSERT_EQ(t.status, 200) << t.body;
  std::string r1 = str(t.json().at("refresh_token"));
  auto second = refresh(r1);
  ASSERT_EQ(second.status, 200) << second.body;
  std::string r2 = str(second.json().at("refresh_token")), a2 = str(second.json().at("access_token"));

  // Within the grace: a wrong resource or scope is answered without spending it...
  EXPECT_EQ(str(refresh(r1, {{"resource", base() + "/other"}}).json().at("error")), "invalid_target");
  EXPECT_EQ(str(refresh(r1, {{"scope", "keys:manage"}}).json().at("error")), "invalid_scope");
  // ...and the one reuse gets fresh tokens of the same grant, scopes and audience.
  auto again = refresh(r1);
  ASSERT_EQ(again.status, 200) << again.body;
  std::string r3 = str(again.json().at("refresh_token")), a3 = str(again.json().at("access_token"));
  EXPECT_NE(r3, r2);
  EXPECT_NE(a3, a2);
  EXPECT_EQ(str(again.json().at("scope")), "keys:read members:read");
  EXPECT_EQ(audience_of(a3), json::value(mcp));
  EXPECT_EQ(credential_id(a3), credential_id(a2));
  EXPECT_EQ(me(a2), 200);

  // R1 once more: a copy is loose. The grant ends, R2, R3 and their access tokens with it.
  auto theft = refresh(r1);
  EXPECT_EQ(theft.status, 400);
  EXPECT_EQ(str(theft.json().at("error")), "invalid_grant");
  EXPECT_EQ(me(a2), 401);
  EXPECT_EQ(me(a3), 401);
  EXPECT_EQ(str(refresh(r2).json().at("error")), "invalid_grant");
  EXPECT_EQ(str(refresh(r3).json().at("error")), "invalid_grant");

  // Past the grace, the first reuse is theft already.
  t = tokens_for(client_id, mcp);
  ASSERT_EQ(t.status, 200) << t.body;
  r1 = str(t.json().at("refresh_token"));
  second = refresh(r1);
  ASSERT_EQ(second.status, 200) << second.body;
  set_clock_offset(11000);
  auto late = refresh(r1);
  set_clock_offset(0);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(str(late.json().at("error")), "invalid_grant");
  EXPECT_EQ(me(str(second.json().at("access_token"))), 401);
  EXPECT_EQ(str(refresh(str(second.json().at("refresh_token"))).json().at("error")), "invalid_grant");
}

TEST_P(OAuth, WithoutAReuseGraceTheFirstReuseOfARefreshTokenRevokesTheGrant) {
  restart({{"refresh_reuse_grace_seconds", 0}});
  std::string client_id = str(public_client().at("client_id"));
  auto refresh = [&](const std::string& rt) {
    return token({{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", client_id}});
  };
  auto t = tokens_for(client_id, "");
  ASSERT_EQ(t.status, 200) << t.body;
  std::string r1 = str(t.json().at("refresh_token"));
  auto second = refresh(r1);
  ASSERT_EQ(second.status, 200) << second.body;
  auto reuse = refresh(r1);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(str(reuse.json().at("error")), "invalid_grant");
  EXPECT_EQ(me(str(second.json().at("access_token"))), 401);
  EXPECT_EQ(str(refresh(str(second.json().at("refresh_token"))).json().at("error")), "invalid_grant");
}

INSTANTIATE_TEST_SUITE_P(Db, OAuth, ::testing::ValuesIn(test_backends()), backend_param_name);

// Several processes on one PostgreSQL: a revocation reaches the other within a second.
// Cursor pagination (sdk/paging.hpp) of the tenant's clients and grants.
TEST_P(OAuth, ClientAndGrantPagesWalkEachListOnceOldestFirstWithinTheTenant) {
  auto walk = [&](const std::string& path, int limit, const std::string& key, const char* field) {
    return walk_pages(port(), path, limit, key, field);
  };

  std::vector<std::string> clients;
  for (int i = 0; i < 5; ++i)
    clients.push_back(str(register_client({{"client_name", "App " + std::to_string(i)}, {"redirect_uris", json::array{kRedirect}},
                                           {"token_endpoint_auth_method", "none"}, {"scope", "keys:read"}},
                                          owner.key).at("client_id")));
  register_client({{"client_name", "Unbound"}, {"redirect_uris", json::array{kRedirect}}, {"token_endpoint_auth_method", "none"}});
  for (int i = 0; i < 3; ++i) authorized_tokens(clients[static_cast<std::size_t>(i)], "owner@example.com", "keys:read");

  // The pages hold what one page does, in the same order (oldest first; one millisecond's rows by id).
  auto one_page = walk("/v1/oauth_clients", 500, owner.key, "client_id");
  ASSERT_EQ(one_page.second, 1);
  EXPECT_EQ(std::set<std::string>(one_page.first.begin(), one_page.first.end()),
            std::set<std::string>(clients.begin(), clients.end()));  // not the unbound one
  EXPECT_EQ(one_page.first.size(), 5u);
  EXPECT_EQ(walk("/v1/oauth_clients", 2, owner.key, "client_id"), std::make_pair(one_page.first, 3));
  EXPECT_EQ(walk("/v1/oauth_clients", 5, owner.key, "client_id").second, 1);
  auto created = walk("/v1/oauth_clients", 500, owner.key, "created_at").first;
  EXPECT_TRUE(std::is_sorted(created.begin(), created.end()));
  auto grants = walk("/v1/oauth_grants", 500, owner.key, "id").first;
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(walk("/v1/oauth_grants", 1, owner.key, "id"), std::make_pair(grants, 3));
  auto granted = walk("/v1/oauth_grants", 1, owner.key, "client_id").first;
  EXPECT_EQ(std::set<std::string>(granted.begin(), granted.end()),
            (std::set<std::string>{clients[0], clients[1], clients[2]}));

  for (const char* path : {"/v1/oauth_clients", "/v1/oauth_grants"}) {
    for (const char* query : {"?limit=501", "?limit=0", "?limit=x", "?cursor=garbage!", "?cursor=WyJvbmx5LWFuLWlkIl0"}) {
      auto r = http(port(), "GET", std::string(path) + query, bearer(owner.key));
      EXPECT_EQ(r.status, 400) << path << query;
      EXPECT_EQ(str(r.json().at("error").at("details").at("field")), query[1] == 'l' ? "limit" : "cursor") << path << query;
    }
  }

  // Another tenant sees none of these, even with this tenant's cursors.
  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  ASSERT_FALSE(other.key.empty());
  for (const char* path : {"/v1/oauth_clients", "/v1/oauth_grants"}) {
    EXPECT_TRUE(walk(path, 1, other.key, "created_at").first.empty()) << path;
    json::value mine = http(port(), "GET", std::string(path) + "?limit=1", bearer(owner.key)).json();
    ASSERT_FALSE(mine.at("next_cursor").is_null());
    auto theirs = http(port(), "GET", std::string(path) + "?cursor=" + str(mine.at("next_cursor")), bearer(other.key));
    ASSERT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_TRUE(theirs.json().at("data").as_array().empty()) << path;
  }
}

class OAuthOnPostgres : public OAuth {};

TEST_P(OAuthOnPostgres, ARevokedClientStopsWorkingOnOtherProcessesWithinASecond) {
  ServerProcess other(write_config(dir, deployment(), "other.json"));
  auto c = register_client({{"client_name", "Bound"}, {"redirect_uris", json::array{kRedirect}},
                            {"token_endpoint_auth_method", "none"}, {"scope", "keys:read"}},
                           owner.key);
  std::string id = str(c.at("client_id"));
  auto tokens = exchange(id, location_params(browser_flow(id, "owner@example.com", "approve", "keys:read").header("location"))["code"]).json();
  std::string access = str(tokens.at("access_token"));
  ASSERT_EQ(http(other.port(), "GET", "/v1/me", bearer(access)).status, 200);  // cached there
  ASSERT_EQ(http(port(), "DELETE", "/v1/oauth_clients/" + id, bearer(owner.key)).status, 200);
  EXPECT_TRUE(eventually([&] { return http(other.port(), "GET", "/v1/me", bearer(access)).status == 401; }, 1s));
}

// Two processes of one app refresh with the same token at once, each through
// another server process: both get tokens (one rotation, one grace); a third
// use revokes the grant. The conditional UPDATEs decide, not the timing.
TEST_P(OAuthOnPostgres, TwoProcessesRefreshingWithOneTokenAtOnceBothGetTokensAndAThirdUseRevokesTheGrant) {
  ServerProcess other(write_config(dir, deployment(), "other.json"));
  std::string client_id = str(public_client().at("client_id"));
  const std::string mcp = base() + "/mcp";
  const Headers form_header{{"Content-Type", "application/x-www-form-urlencoded"}};
  for (int round = 0; round < 3; ++round) {
    auto t = tokens_for(client_id, mcp);
    ASSERT_EQ(t.status, 200) << t.body;
    std::string body = form({{"grant_type", "refresh_token"}, {"refresh_token", str(t.json().at("refresh_token"))},
                             {"client_id", client_id}});
    HttpResult a, b;
    std::thread ta([&] { a = http(port(), "POST", "/oauth/token", form_header, body); });
    std::thread tb([&] { b = http(other.port(), "POST", "/oauth/token", form_header, body); });
    ta.join();
    tb.join();
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_EQ(b.status, 200) << b.body;
    EXPECT_NE(a.json().at("refresh_token"), b.json().at("refresh_token"));
    // The other process never saw this grant: it reads the audience once, with the token.
    EXPECT_EQ(audience_of(str(b.json().at("access_token")), other.port()), json::value(mcp));
    EXPECT_EQ(audience_of(str(a.json().at("access_token"))), json::value(mcp));

    auto third = http(other.port(), "POST", "/oauth/token", form_header, body);
    EXPECT_EQ(third.status, 400);
    EXPECT_EQ(str(third.json().at("error")), "invalid_grant");
    for (auto* r : {&a, &b}) {
      auto again = token({{"grant_type", "refresh_token"}, {"refresh_token", str(r->json().at("refresh_token"))},
                          {"client_id", client_id}});
      EXPECT_EQ(str(again.json().at("error")), "invalid_grant");
      EXPECT_TRUE(eventually([&] { return me(str(r->json().at("access_token"))) == 401; }, 1s));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Db, OAuthOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
