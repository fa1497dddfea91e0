// The identity core hardened, on SQLite and PostgreSQL: each test is a request
// a security review made to take over accounts or widen a credential, which
// must now fail, and the invitation and password reset flows that replaced
// passwords chosen by others.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "e2e_util.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

class Identity : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    clock_file = dir.str() + "/clock_offset";
    std::ofstream(clock_file) << 0;
    auto cfg = e2e_config(dir, db->url(), {json::object{{"name", "auth-apikey"}}});
    cfg["testing"] = {{"clock_offset_file", clock_file}};
    cfg["identity"] = {{"max_tenants_per_user", 3}, {"sign_in", {{"concurrency", 1}}}};
    config_file = write_config(dir, cfg);
    owner = bootstrap_owner(config_file);
    ASSERT_FALSE(owner.key.empty());
    server = std::make_unique<ServerProcess>(config_file);
  }
  std::uint16_t port() const { return server->port(); }
  HttpResult call(const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = {}) {
    return http(port(), method, target, bearer(key), body);
  }
  std::string key_with(const json::array& scopes, const std::string& key) {
    auto r = call("POST", "/v1/api_keys", key, json::serialize(json::object{{"name", "narrow"}, {"scopes", scopes}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? str(r.json().at("data").at("key")) : std::string();
  }
  json::object invite(const std::string& key, const std::string& email, const std::string& role, int expect = 201) {
    auto r = call("POST", "/v1/invitations", key, json::serialize(json::object{{"email", email}, {"role", role}}));
    EXPECT_EQ(r.status, expect) << r.body;
    return r.status == 201 ? r.json().at("data").as_object() : json::object{};
  }
  HttpResult accept(const std::string& token, const std::string& password, const Headers& headers = {}) {
    return http(port(), "POST", "/v1/invitations/accept", headers,
                json::serialize(json::object{{"token", token}, {"password", password}}));
  }
  static std::string detail(const HttpResult& r, const char* name) {
    return str(r.json().at("error").at("details").at(name));
  }
  void shift_clock(std::int64_t ms) {
    std::ofstream(clock_file) << ms;
    std::this_thread::sleep_for(50ms);
  }
  std::vector<std::string> member_emails(const std::string& key) {
    std::vector<std::string> out;
    auto users = call("GET", "/v1/users", key).json();
    for (auto& m : users.at("data").as_array()) out.push_back(str(m.at("email")));
    return out;
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string clock_file, config_file;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
};

// Finding 1: an attacker's tenant created the victim's user with a password
// it chose, then signed in as the victim once the real company added them.
TEST_P(Identity, NoTenantChoosesAnotherPersonsPassword) {
  auto attacker = create_tenant(port(), owner.key, "attacker@evil.test", "Evil");
  auto direct = call("POST", "/v1/users", attacker.key, R"({"email": "victim@corp.test", "password": "attacker-pw1"})");
  EXPECT_EQ(direct.status, 405) << direct.body;
  // The invitation carries no password and no key, only a link to deliver.
  auto inv = invite(attacker.key, "victim@corp.test", "viewer");
  EXPECT_FALSE(inv.contains("api_key"));
  EXPECT_FALSE(inv.contains("password"));
  EXPECT_EQ(str(inv.at("url")).find("/invitations/accept?token=amb_inv_"), str(inv.at("url")).find("/invitations"));
  // The company invites its employee; the membership does not exist until the
  // holder of the company's link accepts, and a wrong password does not accept it.
  auto corp = invite(owner.key, "victim@corp.test", "editor");
  EXPECT_EQ(member_emails(owner.key), std::vector<std::string>{"owner@example.com"});
  auto victim = accept(str(corp.at("token")), "victims own password");
  ASSERT_EQ(victim.status, 200) << victim.body;
  // The attacker's link now belongs to an existing user: its holder must sign
  // in as that user, so the attacker's guess fails and changes nothing.
  auto squat = accept(str(inv.at("token")), "attacker-pw1");
  EXPECT_EQ(squat.status, 401) << squat.body;
  EXPECT_EQ(detail(squat, "reason"), "wrong_password");
  EXPECT_EQ(member_emails(attacker.key), std::vector<std::string>{"attacker@evil.test"});
  // Single use: the company's link cannot be replayed by whoever saw it.
  EXPECT_EQ(accept(str(corp.at("token")), "victims own password").status, 410);
}

// Finding 2: an admin added any registered email to their own tenant and
// received a key acting as that person.
TEST_P(Identity, AddingSomeoneNeverHandsTheInviterTheirKey) {
  auto victim = invite_member(port(), owner.key, "person@corp.test", "viewer", "persons password");
  auto evil = create_tenant(port(), owner.key, "admin@evil.test", "Evil");
  auto inv = invite(evil.key, "person@corp.test", "owner");
  EXPECT_FALSE(inv.contains("api_key"));
  EXPECT_EQ(member_emails(evil.key), std::vector<std::string>{"admin@evil.test"});
  // Only the person, signing in with their own password, joins.
  EXPECT_EQ(accept(str(inv.at("token")), "a guess at it").status, 401);
  auto joined = http(port(), "POST", "/v1/invitations/accept", bearer(victim.key),
                     json::serialize(json::object{{"token", inv.at("token")}}));
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(str(joined.json().at("data").at("user_id")), victim.user_id);
}

// Finding 3: a credential holding keys:read and keys:manage rotated the
// user's broadest key and received its plaintext with all its scopes.
TEST_P(Identity, RotationGivesNoMoreThanTheCallerHolds) {
  auto broad = call("POST", "/v1/api_keys", owner.key, R"({"name": "broad", "scopes": ["audit:read", "members:manage", "keys:read"]})");
  std::string broad_id = str(broad.json().at("data").at("id"));
  std::string narrow = key_with({"keys:read", "keys:manage"}, owner.key);
  auto r = call("POST", "/v1/api_keys/" + broad_id + "/rotate", narrow, "{}");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(detail(r, "reason"), "scope_above_caller");
  EXPECT_EQ(r.body.find("ak_live_"), std::string::npos);
  // The owner's own full key may rotate it.
  EXPECT_EQ(call("POST", "/v1/api_keys/" + broad_id + "/rotate", owner.key, "{}").status, 201);
}

// Finding 4: a key narrowed to members:manage added a puppet as owner and
// received the puppet's owner key.
TEST_P(Identity, MembersManageAloneCannotGrantARoleBroaderThanItself) {
  std::string narrow = key_with({"members:manage"}, owner.key);
  auto r = call("POST", "/v1/invitations", narrow, R"({"email": "puppet@evil.test", "role": "owner"})");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(detail(r, "reason"), "scope_above_caller");
  EXPECT_EQ(call("POST", "/v1/invitations", narrow, R"({"email": "puppet@evil.test", "role": "viewer"})").status, 403);
  // Nor promote an existing member.
  auto member = invite_member(port(), owner.key, "member@example.com", "viewer");
  auto promote = call("PATCH", "/v1/users/" + member.user_id, narrow, R"({"role": "owner"})");
  EXPECT_EQ(promote.status, 403) << promote.body;
  // An admin's full key invites up to admin, never owner.
  auto admin = invite_member(port(), owner.key, "admin@example.com", "admin");
  EXPECT_EQ(detail(call("POST", "/v1/invitations", admin.key, R"({"email": "p@evil.test", "role": "owner"})"), "reason"),
            "role_above_caller");
  invite(admin.key, "colleague@example.com", "admin");
}

// Finding 5: any credential created tenants and received an owner key.
TEST_P(Identity, TenantCreationNeedsItsScopeGivesNoMoreAndIsCapped) {
  std::string reader = key_with({"keys:read"}, owner.key);
  auto r = call("POST", "/v1/tenants", reader, R"({"name": "T"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(detail(r, "missing_scope"), "tenants:create");
  // The new tenant's key holds no more than the credential that asked.
  std::string creator = key_with({"tenants:create", "keys:read"}, owner.key);
  auto made = call("POST", "/v1/tenants", creator, R"({"name": "Made"})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto me = call("GET", "/v1/me", str(made.json().at("data").at("api_key").at("key")));
  EXPECT_EQ(me.json().at("data").at("scopes"), (json::array{"keys:read", "tenants:create"}));
  // max_tenants_per_user is 3 in this deployment.
  EXPECT_EQ(call("POST", "/v1/tenants", owner.key, R"({"name": "Two"})").status, 201);
  EXPECT_EQ(call("POST", "/v1/tenants", owner.key, R"({"name": "Three"})").status, 201);
  auto capped = call("POST", "/v1/tenants", owner.key, R"({"name": "Four"})");
  EXPECT_EQ(capped.status, 403);
  EXPECT_EQ(error_code(capped), "TENANT_LIMIT_REACHED");
}

// Finding 6: an admin revoked the owner's keys.
TEST_P(Identity, AnAdminCannotRevokeAnOwnersKeys) {
  auto admin = invite_member(port(), owner.key, "admin@example.com", "admin");
  auto owners = call("POST", "/v1/api_keys", owner.key, R"({"name": "owner's", "scopes": ["keys:read"]})");
  std::string owners_id = str(owners.json().at("data").at("id"));
  auto r = call("DELETE", "/v1/api_keys/" + owners_id, admin.key);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(detail(r, "reason"), "role_above_caller");
  EXPECT_EQ(call("GET", "/v1/me", str(owners.json().at("data").at("key"))).status, 200);
  // The owner may revoke the admin's keys.
  auto keys = call("GET", "/v1/api_keys", owner.key).json();
  for (auto& k : keys.at("data").as_array())
    if (str(k.at("user_id")) == admin.user_id) {
      EXPECT_EQ(call("DELETE", "/v1/api_keys/" + str(k.at("id")), owner.key).status, 204);
    }
  EXPECT_EQ(call("GET", "/v1/me", admin.key).status, 401);
}

// Finding 7: failures locked accounts for 15 minutes; now a few failures are
// free, then each attempt waits a delay that doubles, and the wait ends.
TEST_P(Identity, FailedSignInsSlowAnAccountDownWithoutLockingItOut) {
  invite_member(port(), owner.key, "slow@example.com", "viewer", "the right password");
  invite(owner.key, "slow@example.com", "viewer", 409);  // already a member
  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  auto token = str(invite(other.key, "slow@example.com", "viewer").at("token"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(accept(token, "wrong password " + std::to_string(i)).status, 401);
  // Past the free failures each further one doubles the wait (1 s, 2 s, ...):
  // guessing soon meets a 429 with Retry-After instead of a password check.
  HttpResult slowed;
  for (int i = 0; i < 4 && slowed.status != 429; ++i) slowed = accept(token, "still guessing");
  ASSERT_EQ(slowed.status, 429) << slowed.body;
  ASSERT_FALSE(slowed.header("retry-after").empty());
  EXPECT_GE(std::stoi(slowed.header("retry-after")), 1);
  EXPECT_EQ(accept(token, "the right password").status, 429);  // the wait holds for everyone
  shift_clock(60 * 1000);  // a minute later, not fifteen: the right password works again
  EXPECT_EQ(accept(token, "the right password").status, 200);
}

// Finding 7: successful sign-ins were never throttled; each is a 64 MiB
// Argon2 run. Password checks run one at a time here (sign_in.concurrency 1):
// a burst is answered 429 with Retry-After, not queued on the workers.
TEST_P(Identity, ABurstOfPasswordChecksIsRefusedNotQueued) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 6; ++i) tokens.push_back(str(invite(owner.key, "burst" + std::to_string(i) + "@example.com", "viewer").at("token")));
  std::atomic<int> refused{0}, accepted{0};
  std::vector<std::thread> threads;
  for (auto& t : tokens)
    threads.emplace_back([&, t] {
      auto r = accept(t, "a new password");
      if (r.status == 429 && !r.header("retry-after").empty()) ++refused;
      if (r.status == 200) ++accepted;
    });
  for (auto& th : threads) th.join();
  EXPECT_GE(accepted.load(), 1);
  EXPECT_GE(refused.load(), 1);
  EXPECT_EQ(accepted + refused, 6);
}

// Finding 8: POST /v1/users answered 409 EMAIL_TAKEN for registered emails.
// An invitation answers alike whether or not the address has an account.
TEST_P(Identity, InvitingRevealsNothingAboutTheAddress) {
  invite_member(port(), owner.key, "known@example.com", "viewer", "known password");
  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  auto known = invite(other.key, "known@example.com", "viewer");
  auto unknown = invite(other.key, "nobody@example.com", "viewer");
  ASSERT_EQ(known.size(), unknown.size());
  for (auto& [k, v] : known) {
    ASSERT_TRUE(unknown.contains(k)) << k;
    if (k != "id" && k != "email" && k != "token" && k != "url" && k != "created_at" && k != "expires_at") {
      EXPECT_EQ(v, unknown.at(k)) << k;
    }
  }
  EXPECT_EQ(run_ambit({"users", "reset-password", "nobody@example.com", "--config", config_file}).exit_code, 1);
}

// Finding 10: two concurrent demotions could leave a tenant with no owner.
TEST_P(Identity, TheLastOwnerSurvivesConcurrentDemotions) {
  auto second = invite_member(port(), owner.key, "second@example.com", "owner");
  for (int round = 0; round < 4; ++round) {
    HttpResult a, b;
    std::thread t1([&] { a = call("PATCH", "/v1/users/" + second.user_id, owner.key, R"({"role": "admin"})"); });
    std::thread t2([&] { b = call("PATCH", "/v1/users/" + owner.user_id, second.key, R"({"role": "admin"})"); });
    t1.join();
    t2.join();
    int owners = 0;
    auto users = call("GET", "/v1/users", a.status == 200 ? owner.key : second.key).json();
    for (auto& m : users.at("data").as_array()) owners += m.at("role") == "owner";
    ASSERT_EQ(owners, 1) << a.body << " / " << b.body;
    EXPECT_TRUE((a.status == 200) != (b.status == 200)) << a.status << " " << b.status;
    // The remaining owner promotes the other back for the next round.
    if (a.status == 200) {
      ASSERT_EQ(call("PATCH", "/v1/users/" + second.user_id, owner.key, R"({"role": "owner"})").status, 200);
    } else {
      ASSERT_EQ(call("PATCH", "/v1/users/" + owner.user_id, second.key, R"({"role": "owner"})").status, 200);
    }
  }
}

// Invitations can be listed and revoked; a revoked or expired link is dead.
TEST_P(Identity, InvitationsAreListedRevokedAndExpire) {
  auto a = invite(owner.key, "a@example.com", "viewer");
  auto b = invite(owner.key, "b@example.com", "editor");
  auto list = call("GET", "/v1/invitations", owner.key);
  ASSERT_EQ(list.status, 200);
  auto rows = list.json().at("data").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(list.body.find("amb_inv_"), std::string::npos);  // tokens are shown once
  EXPECT_EQ(str(rows[0].at("status")), "pending");
  auto paged = call("GET", "/v1/invitations?limit=1", owner.key).json();
  EXPECT_EQ(paged.at("data").as_array().size(), 1u);
  auto rest = call("GET", "/v1/invitations?limit=1&cursor=" + str(paged.at("next_cursor")), owner.key).json();
  EXPECT_EQ(rest.at("data").as_array().size(), 1u);
  EXPECT_TRUE(rest.at("next_cursor").is_null());
  EXPECT_EQ(call("DELETE", "/v1/invitations/" + str(a.at("id")), owner.key).status, 204);
  EXPECT_EQ(accept(str(a.at("token")), "a good password").status, 404);
  shift_clock(8LL * 24 * 3600 * 1000);  // past the 7-day default
  auto expired = accept(str(b.at("token")), "a good password");
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(error_code(expired), "INVITATION_EXPIRED");
  // Another tenant sees and revokes none of them.
  shift_clock(0);
  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  EXPECT_EQ(call("DELETE", "/v1/invitations/" + str(b.at("id")), other.key).status, 404);
  EXPECT_EQ(call("GET", "/v1/invitations", other.key).json().at("data").as_array().size(), 0u);
}

// The pages a link opens: a person with a browser sets their password and
// sees their key once; the operator's reset link sets a new password.
TEST_P(Identity, TheInvitationAndResetPagesWorkWithAPlainForm) {
  auto inv = invite(owner.key, "page@example.com", "viewer");
  std::string token = str(inv.at("token"));
  auto page = http(port(), "GET", "/invitations/accept?token=" + token);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Choose a password"), std::string::npos);
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_EQ(page.header("referrer-policy"), "no-referrer");
  auto done = http(port(), "POST", "/invitations/accept", {{"Content-Type", "application/x-www-form-urlencoded"}},
                   "token=" + token + "&password=my+page+password");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("ak_live_"), std::string::npos);
  EXPECT_NE(done.body.find("will not see it again"), std::string::npos);
  EXPECT_EQ(http(port(), "GET", "/invitations/accept?token=" + token).status, 410);
  // The password the form set ("+" is a space) signs in; then the operator's reset.
  auto other = create_tenant(port(), owner.key, "other@example.com", "Other");
  auto second = str(invite(other.key, "page@example.com", "viewer").at("token"));
  auto reset = run_ambit({"users", "reset-password", "page@example.com", "--config", config_file});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  auto link = json::parse(reset.out);
  std::string reset_token = str(link.at("token"));
  EXPECT_NE(str(link.at("url")).find("/password-reset?token=" + reset_token), std::string::npos);
  EXPECT_EQ(http(port(), "GET", "/password-reset?token=" + reset_token).status, 200);
  auto changed = http(port(), "POST", "/password-reset", {{"Content-Type", "application/x-www-form-urlencoded"}},
                      "token=" + reset_token + "&password=brand+new+password");
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(accept(second, "my page password").status, 401);
  EXPECT_EQ(accept(second, "brand new password").status, 200);
  // A reset link works once.
  auto again = http(port(), "POST", "/v1/password-reset", {},
                    json::serialize(json::object{{"token", reset_token}, {"password", "yet another one"}}));
  EXPECT_EQ(again.status, 410);
}

INSTANTIATE_TEST_SUITE_P(Db, Identity, ::testing::ValuesIn(test_backends()), backend_param_name);

// Finding 10 across processes: two kernels on one PostgreSQL demote the two
// owners of a tenant at the same moment; one demotion must be refused.
class IdentityOnPostgres : public Identity {};

TEST_P(IdentityOnPostgres, TwoProcessesCannotDemoteTheLastTwoOwnersTogether) {
  ServerProcess other(config_file);
  auto second = invite_member(port(), owner.key, "second@example.com", "owner");
  for (int round = 0; round < 4; ++round) {
    HttpResult a, b;
    std::thread t1([&] { a = call("PATCH", "/v1/users/" + second.user_id, owner.key, R"({"role": "admin"})"); });
    std::thread t2([&] {
      b = http(other.port(), "PATCH", "/v1/users/" + owner.user_id, bearer(second.key), R"({"role": "admin"})");
    });
    t1.join();
    t2.join();
    ASSERT_TRUE((a.status == 200) != (b.status == 200)) << a.body << " / " << b.body;
    // Refused as the last owner (409), or because the winner's change made
    // the loser an admin first (403: role above the caller's).
    const auto& loser = a.status == 200 ? b : a;
    EXPECT_TRUE(loser.status == 409 || loser.status == 403) << loser.body;
    if (a.status == 200) {
      ASSERT_EQ(call("PATCH", "/v1/users/" + second.user_id, owner.key, R"({"role": "owner"})").status, 200);
    } else {
      ASSERT_EQ(call("PATCH", "/v1/users/" + owner.user_id, second.key, R"({"role": "owner"})").status, 200);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Db, IdentityOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
