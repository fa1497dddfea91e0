// The attestation-clients plugin through the real binary, on SQLite and
// PostgreSQL: the seed's seven API client endpoints with their bare bodies
// and header rules, the catalog and plans, policies, tenant isolation, scope
// checks, key verification (and its cache invalidation), and no key in
// plaintext at rest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "declared_schema.hpp"
#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::string kSgx = "a54ebfdb-4169-404f-9624-015ed180b9b4";
const std::string kSgxBasic = "046d85c3-4045-4831-8cd0-62e919989daa";
const std::string kSgxPremium = "34ee4b3f-22d4-42e2-bc26-b65f5cb8fc19";
const std::string kSgxManagement = "5b0f1c2e-8d7a-4e3b-9c1d-2f4a6b8c0d1e";  // added by this test's catalog
const std::string kTdx = "e64c6834-1247-4e14-9d3b-1b733df6f8eb";
const std::string kTdxPremium = "f72f07fb-20fe-47b4-8080-8bf3235bf09f";

/// The default catalog plus a management product for SGX.
json::array catalog() {
  return json::parse(R"json([
    {"id": "a54ebfdb-4169-404f-9624-015ed180b9b4", "name": "SGX Attestation", "products": [
      {"id": "046d85c3-4045-4831-8cd0-62e919989daa", "name": "Basic"},
      {"id": "34ee4b3f-22d4-42e2-bc26-b65f5cb8fc19", "name": "Premium"},
      {"id": "5b0f1c2e-8d7a-4e3b-9c1d-2f4a6b8c0d1e", "name": "Management", "type": "management"}]},
    {"id": "e64c6834-1247-4e14-9d3b-1b733df6f8eb", "name": "TDX Attestation", "products": [
      {"id": "97deeacc-5af7-474c-b7c4-0913d09a403d", "name": "Basic"},
      {"id": "f72f07fb-20fe-47b4-8080-8bf3235bf09f", "name": "Premium"}]}
  ])json").as_array();
}

}  // namespace

class AttestationClients : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    config_file = write_config(dir, deployment());
    owner = bootstrap_owner(config_file);
    ASSERT_FALSE(owner.key.empty());
    server = std::make_unique<ServerProcess>(config_file);
  }
  json::object deployment() {
    return e2e_config(dir, db->url(),
                      {json::object{{"name", "auth-apikey"}},
                       json::object{{"name", "attestation-clients"}, {"config", {{"services", catalog()}}}}});
  }
  HttpResult call(const std::string& method, const std::string& path, const std::string& body = {},
                  Headers headers = {}, const std::string& key = {}) {
    Headers h = bearer(key.empty() ? owner.key : key);
    for (auto& kv : headers) h.push_back(kv);
    return http(server->port(), method, "/management/v1" + path, h, body);
  }
  static std::string clients(const std::string& service = kSgx) { return "/services/" + service + "/api-clients"; }
  std::string create_policy(const std::string& name, const std::string& service = kSgx, const std::string& key = {}) {
    auto r = call("POST", "/policies",
                  json::serialize(json::object{{"name", name}, {"service_id", service}, {"policy", "default matches_sgx_policy = true"}}),
                  {}, key);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? str(r.json().at("id")) : std::string();
  }
  json::object client_body(const std::string& name, const std::string& product, json::array policies = {},
                           json::array tags = {}) {
    return {{"name", name}, {"product_id", product}, {"policy_ids", policies}, {"tags", tags}};
  }
  json::object create_client(const json::object& body, const std::string& service = kSgx, const std::string& key = {}) {
    auto r = call("POST", clients(service), json::serialize(body), {}, key);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : json::object{};
  }
  /// Verification uses a key minted for it: no role's bundle holds attestation:verify.
  HttpResult verify(const std::string& client_key, std::uint16_t port = 0) {
    if (verifier.empty()) verifier = scoped_key({"attestation:verify"});
    return http(port ? port : server->port(), "POST", "/management/v1/api-clients/verify", bearer(verifier),
                json::serialize(json::object{{"key", client_key}}));
  }
  /// Every row of a bare-array list, from `path` (under /management/v1) on,
  /// following the Link rel="next" headers: the ids, and the pages seen.
  std::pair<std::vector<std::string>, int> walk(std::string path, const std::string& key = {}) {
    std::vector<std::string> seen;
    for (int pages = 1; pages <= 50; ++pages) {
      auto r = call("GET", path, {}, {}, key);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      json::value rows = r.json();  // held while iterated
      for (auto& row : rows.as_array()) seen.push_back(str(row.at("id")));
      std::string link = r.header("link");
      if (link.empty()) return {seen, pages};
      EXPECT_EQ(link.substr(link.find('>')), ">; rel=\"next\"") << link;
      std::string url = link.substr(1, link.find('>') - 1);
      std::string base = "http://127.0.0.1:" + std::to_string(server->port()) + "/management/v1";
      EXPECT_EQ(url.rfind(base, 0), 0u) << url;  // absolute, from server.public_url
      path = url.substr(base.size());
    }
    ADD_FAILURE() << path << ": the Link header never ended";
    return {seen, 0};
  }
  std::string scoped_key(const json::array& scopes) {
    auto r = http(server->port(), "POST", "/v1/api_keys", bearer(owner.key),
                  json::serialize(json::object{{"name", "scoped"}, {"scopes", scopes}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return str(r.json().at("data").at("key"));
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string config_file;
  std::string verifier;  ///< a dedicated attestation:verify key, minted on first use
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
};

TEST_P(AttestationClients, CatalogListsServicesAndProducts) {
  auto services = call("GET", "/services");
  ASSERT_EQ(services.status, 200) << services.body;
  auto list = services.json().as_array();  // a bare body, no "data" envelope
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(str(list[0].at("id")), kSgx);
  EXPECT_EQ(str(list[0].at("name")), "SGX Attestation");
  EXPECT_EQ(str(list[1].at("name")), "TDX Attestation");

  auto products = call("GET", "/services/" + kSgx + "/products");
  ASSERT_EQ(products.status, 200);
  auto p = products.json().as_array();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(str(p[0].at("name")), "Basic");
  EXPECT_EQ(str(p[0].at("product_type")), "attestation");
  EXPECT_EQ(str(p[2].at("product_type")), "management");
  EXPECT_EQ(str(p[2].at("service_id")), kSgx);
  EXPECT_EQ(call("GET", "/services/" + kSgx).json().at("products").as_array().size(), 3u);

  // Unknown and malformed service ids are 404; an upper-case UUID is the same service.
  EXPECT_EQ(call("GET", "/services/00000000-0000-4000-8000-000000000000/products").status, 404);
  EXPECT_EQ(call("GET", "/services/not-a-uuid/products").status, 404);
  std::string upper = kSgx;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(call("GET", "/services/" + upper + "/products").status, 200);
}

TEST_P(AttestationClients, TenantsStartOnPremiumAndCanSwitchPlans) {
  auto sub = call("GET", "/services/" + kSgx + "/subscription");
  ASSERT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(str(sub.json().at("product_name")), "Premium");
  EXPECT_EQ(str(sub.json().at("product_id")), kSgxPremium);
  EXPECT_EQ(str(sub.json().at("service_offer_name")), "SGX Attestation");
  EXPECT_TRUE(sub.json().at("created_at").is_null());  // never chosen

  // A Premium client; then the tenant moves to Basic and the client moves with it.
  auto premium = create_client(client_body("SGX Premium", kSgxPremium));
  std::string client_key = str(premium.at("keys").at(0));
  ASSERT_EQ(str(verify(client_key).json().at("product_name")), "Premium");
  auto basic = call("PUT", "/services/" + kSgx + "/subscription", json::serialize(json::object{{"product_id", kSgxBasic}}));
  ASSERT_EQ(basic.status, 200) << basic.body;
  EXPECT_EQ(str(basic.json().at("product_name")), "Basic");
  EXPECT_TRUE(basic.json().at("created_at").is_string());
  EXPECT_EQ(str(call("GET", "/services/" + kSgx + "/subscription").json().at("product_name")), "Basic");
  auto moved = call("GET", clients() + "/" + str(premium.at("id")));
  EXPECT_EQ(str(moved.json().at("product_name")), "Basic");
  EXPECT_EQ(str(verify(client_key).json().at("product_name")), "Basic");  // the cache saw the move

  // Premium is no longer the tenant's plan; Basic is; management products come with every plan.
  auto refused = call("POST", clients(), json::serialize(client_body("again", kSgxPremium)));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(str(refused.json().at("error").at("details").at("field")), "product_id");
  create_client(client_body("basic", kSgxBasic));
  create_client(client_body("mgmt", kSgxManagement));
  // The other service is untouched.
  EXPECT_EQ(str(call("GET", "/services/" + kTdx + "/subscription").json().at("product_name")), "Premium");

  // Only a plan of this service can be chosen.
  for (const std::string& product : {kSgxManagement, kTdxPremium, std::string("00000000-0000-4000-8000-000000000000")}) {
    auto r = call("PUT", "/services/" + kSgx + "/subscription", json::serialize(json::object{{"product_id", product}}));
    EXPECT_EQ(r.status, 400) << product << " " << r.body;
  }
  EXPECT_EQ(call("PUT", "/services/" + kSgx + "/subscription", "{}").status, 400);
}

TEST_P(AttestationClients, CreateGetAndListFollowTheSeed) {
  std::string p1 = create_policy("p1"), p2 = create_policy("p2");
  json::array tags{json::object{{"key", "Workload"}, {"value", "AI Workload"}},
                   json::object{{"key", "Workload"}, {"value", "EXE Workload"}},
                   json::object{{"key", "Team"}, {"value", "blue"}}};
  auto created = create_client(client_body("TDX-free SGX Premium", kSgxPremium, {p1, p2}, tags));
  ASSERT_FALSE(created.empty());
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::string id = str(created.at("id"));
  EXPECT_TRUE(std::regex_match(id, uuid)) << id;
  EXPECT_EQ(str(created.at("name")), "TDX-free SGX Premium");
  EXPECT_EQ(str(created.at("service_id")), kSgx);
  EXPECT_EQ(str(created.at("service_offer_name")), "SGX Attestation");
  EXPECT_EQ(str(created.at("product_id")), kSgxPremium);
  EXPECT_EQ(str(created.at("product_name")), "Premium");
  EXPECT_EQ(str(created.at("product_type")), "attestation");
  EXPECT_EQ(str(created.at("status")), "Active");
  EXPECT_TRUE(created.at("created_at").is_string());
  auto keys = created.at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  for (auto& k : keys) EXPECT_TRUE(std::regex_match(str(k), std::regex("[0-9a-f]{32}"))) << k;
  EXPECT_NE(keys[0], keys[1]);
  EXPECT_EQ(created.at("policy_ids"), (json::array{p1, p2}));
  ASSERT_EQ(created.at("tags").as_array().size(), 3u);
  EXPECT_EQ(str(created.at("tags").at(1).at("value")), "EXE Workload");
  EXPECT_TRUE(created.at("tags").at(0).at("predefined").as_bool());
  EXPECT_FALSE(created.at("tags").at(2).at("predefined").as_bool());

  // GET shows the same client, keys included.
  auto got = call("GET", clients() + "/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("keys"), created.at("keys"));
  EXPECT_EQ(got.json().at("tags"), created.at("tags"));
  EXPECT_EQ(got.json().at("policy_ids"), created.at("policy_ids"));
  EXPECT_EQ(got.json().at("created_at"), created.at("created_at"));

  auto policies = call("GET", clients() + "/" + id + "/policies");
  ASSERT_EQ(policies.status, 200);
  EXPECT_EQ(policies.json(), (json::object{{"policy_ids", json::array{p1, p2}}}));
  auto tag_list = call("GET", clients() + "/" + id + "/tags");
  ASSERT_EQ(tag_list.status, 200);
  EXPECT_EQ(tag_list.json().at("tags"), created.at("tags"));

  // The list shows summaries (no keys) of this service's clients only.
  auto mgmt = create_client(client_body("ops", kSgxManagement));
  create_client(client_body("tdx", kTdxPremium), kTdx);
  auto list = call("GET", clients());
  ASSERT_EQ(list.status, 200);
  auto rows = list.json().as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(str(rows[0].at("id")), id);
  EXPECT_FALSE(rows[0].as_object().contains("keys"));
  for (const char* field : {"created_at", "id", "name", "product_id", "product_name", "product_type", "service_id", "status"})
    EXPECT_TRUE(rows[0].as_object().contains(field)) << field;
  auto attestation = call("GET", clients() + "?productType=attestation").json().as_array();
  ASSERT_EQ(attestation.size(), 1u);
  EXPECT_EQ(str(attestation[0].at("id")), id);
  auto management = call("GET", clients() + "?productType=management").json().as_array();
  ASSERT_EQ(management.size(), 1u);
  EXPECT_EQ(management[0].at("id"), mgmt.at("id"));
  EXPECT_EQ(call("GET", clients() + "?productType=other").status, 400);
  EXPECT_EQ(call("GET", clients(kTdx)).json().as_array().size(), 1u);

  // A client of one service is not found under another.
  EXPECT_EQ(call("GET", clients(kTdx) + "/" + id).status, 404);
  EXPECT_EQ(call("GET", clients() + "/00000000-0000-4000-8000-000000000000").status, 404);
  EXPECT_EQ(call("GET", clients() + "/nope").status, 404);
}

TEST_P(AttestationClients, BadBodiesAre400NamingTheFieldAndWriteNothing) {
  std::string sgx_policy = create_policy("sgx");
  std::string tdx_policy = create_policy("tdx", kTdx);
  struct Case {
    std::string body, field;
  };
  std::vector<Case> cases = {
      {R"({"product_id": ")" + kSgxPremium + R"("})", "name"},
      {R"({"name": "  ", "product_id": ")" + kSgxPremium + R"("})", "name"},
      {R"({"name": 5, "product_id": ")" + kSgxPremium + R"("})", "name"},
      {R"({"name": "x"})", "product_id"},
      {R"({"name": "x", "product_id": "nope"})", "product_id"},
      {R"({"name": "x", "product_id": ")" + kTdxPremium + R"("})", "product_id"},  // another service's product
      {R"({"name": "x", "product_id": ")" + kSgxBasic + R"("})", "product_id"},    // not the tenant's plan
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "status": "Paused"})", "status"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "policy_ids": ["00000000-0000-4000-8000-000000000000"]})",
       "policy_ids[0]"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "policy_ids": [")" + sgx_policy + R"(", ")" + tdx_policy +
           R"("]})",
       "policy_ids[1]"},  // a policy of another service
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "policy_ids": [")" + sgx_policy + R"(", ")" + sgx_policy +
           R"("]})",
       "policy_ids[1]"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "policy_ids": "p"})", "policy_ids"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "tags": [{"key": "bad key", "value": "v"}]})", "tags[0].key"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "tags": [{"key": "K", "value": "v"}, {"key": ")" +
           std::string(65, 'a') + R"(", "value": "v"}]})",
       "tags[1].key"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "tags": [{"key": "K"}]})", "tags[0].value"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "tags": [{"key": "K", "value": ""}]})", "tags[0].value"},
      {R"({"name": "x", "product_id": ")" + kSgxPremium + R"(", "tags": ["Workload"]})", "tags[0]"},
  };
  for (auto& c : cases) {
    auto r = call("POST", clients(), c.body);
    ASSERT_EQ(r.status, 400) << c.body << " -> " << r.body;
    EXPECT_EQ(error_code(r), "INVALID_INPUT");
    EXPECT_EQ(str(r.json().at("error").at("details").at("field")), c.field) << c.body;
  }
  EXPECT_EQ(call("POST", clients(), "{not json").status, 400);
  EXPECT_EQ(call("POST", clients(), "[1]").status, 400);
  EXPECT_TRUE(call("GET", clients()).json().as_array().empty());  // nothing half-written

  // Policies: name, service and text are required; names are unique per tenant.
  EXPECT_EQ(call("POST", "/policies", R"({"service_id": ")" + kSgx + R"(", "policy": "p"})").status, 400);
  EXPECT_EQ(call("POST", "/policies", R"({"name": "n", "service_id": "00000000-0000-4000-8000-000000000000", "policy": "p"})").status, 400);
  EXPECT_EQ(call("POST", "/policies", R"({"name": "n", "service_id": ")" + kSgx + R"(", "policy": ""})").status, 400);
  auto dup = call("POST", "/policies", R"({"name": "sgx", "service_id": ")" + kSgx + R"(", "policy": "p"})");
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(call("GET", "/policies").json().as_array().size(), 2u);
  EXPECT_EQ(call("GET", "/policies?serviceId=" + kTdx).json().as_array().size(), 1u);
}

// Every route answers the bare body its operation declares in /openapi.json;
// ids sent in upper case are answered in lower case, and a policy listed
// twice in different cases is still listed twice.
TEST_P(AttestationClients, AnswersMatchTheDeclaredOutputSchemas) {
  auto openapi = http(server->port(), "GET", "/openapi.json").json();
  auto conforms = [&](const HttpResult& r, const std::string& id) {
    return schema_mismatch(r.json(), declared_response_schema(openapi, id, r.status));
  };
  auto upper = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  std::string p1 = create_policy("p1");
  auto created = call("POST", clients(),
                      json::serialize(client_body("shape", upper(kSgxPremium), {upper(p1)},
                                                  {json::object{{"key", "Workload"}, {"value", "AI"}}})));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(conforms(created, "attestation_clients.create"), "");
  EXPECT_EQ(str(created.json().at("product_id")), kSgxPremium);
  EXPECT_EQ(created.json().at("policy_ids"), (json::array{p1}));
  std::string id = str(created.json().at("id"));
  std::string client = clients() + "/" + id;

  auto twice = call("POST", clients(), json::serialize(client_body("twice", kSgxPremium, {p1, upper(p1)})));
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(str(twice.json().at("error").at("details").at("field")), "policy_ids[1]");

  struct Answer {
    std::string method, path, id;
  };
  for (const Answer& a : std::vector<Answer>{{"GET", "/services", "attestation_services.list"},
                                             {"GET", "/services/" + kSgx, "attestation_services.get"},
                                             {"GET", "/services/" + kSgx + "/products", "attestation_products.list"},
                                             {"GET", "/services/" + kSgx + "/subscription", "attestation_subscriptions.get"},
                                             {"GET", "/policies?limit=1", "attestation_policies.list"},
                                             {"GET", "/policies/" + p1, "attestation_policies.get"},
                                             {"GET", clients() + "?limit=1", "attestation_clients.list"},
                                             {"GET", client, "attestation_clients.get"},
                                             {"GET", client + "/policies", "attestation_clients.get_policies"},
                                             {"GET", client + "/tags", "attestation_clients.get_tags"}}) {
    auto r = call(a.method, a.path);
    ASSERT_EQ(r.status, 200) << a.path << " " << r.body;
    EXPECT_EQ(conforms(r, a.id), "") << a.path;
  }
  auto plan = call("PUT", "/services/" + kSgx + "/subscription",
                   json::serialize(json::object{{"product_id", upper(kSgxPremium)}}));
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(conforms(plan, "attestation_subscriptions.set"), "");
  auto updated = call("PUT", client, json::serialize(client_body("shape 2", kSgxPremium)));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(conforms(updated, "attestation_clients.update"), "");
  auto verified = verify(str(created.json().at("keys").at(0)));
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(conforms(verified, "attestation_clients.verify_key"), "");
  auto policy = call("POST", "/policies", R"({"name": "p2", "service_id": ")" + upper(kTdx) + R"(", "policy": "x"})");
  ASSERT_EQ(policy.status, 201) << policy.body;
  EXPECT_EQ(conforms(policy, "attestation_policies.create"), "");
  EXPECT_EQ(str(policy.json().at("service_id")), kTdx);
  // The checker is not vacuous.
  EXPECT_NE(conforms(updated, "attestation_clients.get"), "");
}

TEST_P(AttestationClients, HeaderRulesAnswer415) {
  std::string body = json::serialize(client_body("x", kSgxPremium));
  auto no_type = call("POST", clients(), body, {{"Content-Type", ""}});
  EXPECT_EQ(no_type.status, 415) << no_type.body;
  EXPECT_EQ(call("POST", clients(), body, {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(call("POST", clients(), body, {{"Content-Type", "application/x-www-form-urlencoded"}}).status, 415);
  EXPECT_EQ(call("POST", clients(), body, {{"Accept", "text/html"}}).status, 415);
  EXPECT_TRUE(call("GET", clients()).json().as_array().empty());  // refused before anything was written
  auto ok = call("POST", clients(), body, {{"Content-Type", "Application/JSON; charset=utf-8"}, {"Accept", "application/json"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string id = str(ok.json().at("id"));

  for (const std::string& path : {clients(), clients() + "/" + id, clients() + "/" + id + "/policies",
                                  clients() + "/" + id + "/tags", std::string("/services"), std::string("/policies")}) {
    EXPECT_EQ(call("GET", path, {}, {{"Accept", "text/html"}}).status, 415) << path;
    EXPECT_EQ(call("GET", path, {}, {{"Accept", "application/json;q=0, text/html"}}).status, 415) << path;
    EXPECT_EQ(call("GET", path, {}, {{"Accept", "application/json;q=0, */*"}}).status, 415) << path;  // the specific range wins
    EXPECT_EQ(call("GET", path, {}, {{"Accept", "text/html;q=0.9, */*;q=0.1"}}).status, 200) << path;
    EXPECT_EQ(call("GET", path, {}, {{"Accept", "application/*"}}).status, 200) << path;
    EXPECT_EQ(call("GET", path).status, 200) << path;  // no Accept: anything goes
  }
  EXPECT_EQ(call("PUT", clients() + "/" + id, body, {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(call("PUT", clients() + "/" + id, body, {{"Accept", "text/xml"}}).status, 415);
  EXPECT_EQ(call("PUT", clients() + "/" + id, body).status, 200);
}

TEST_P(AttestationClients, PutReplacesPolicyAndTagCollections) {
  std::string p1 = create_policy("p1"), p2 = create_policy("p2"), p3 = create_policy("p3");
  auto created = create_client(client_body("before", kSgxPremium, {p1, p2},
                                           {json::object{{"key", "Workload"}, {"value", "AI"}}}));
  std::string id = str(created.at("id"));

  auto put = call("PUT", clients() + "/" + id,
                  json::serialize(json::object{{"name", "after"},
                                               {"product_id", kSgxPremium},
                                               {"status", "Inactive"},
                                               {"policy_ids", json::array{p3}},
                                               {"tags", json::array{json::object{{"key", "Power"}, {"value", "AI Update"}},
                                                                    json::object{{"key", "Workload"}, {"value", "EXE Update"}}}}}));
  ASSERT_EQ(put.status, 200) << put.body;
  auto summary = put.json().as_object();  // the seed's PUT answer: the summary, no keys or collections
  EXPECT_EQ(str(summary.at("name")), "after");
  EXPECT_EQ(str(summary.at("status")), "Inactive");
  EXPECT_FALSE(summary.contains("keys"));
  EXPECT_EQ(summary.at("created_at"), created.at("created_at"));

  auto got = call("GET", clients() + "/" + id).json();
  EXPECT_EQ(got.at("policy_ids"), (json::array{p3}));
  ASSERT_EQ(got.at("tags").as_array().size(), 2u);
  EXPECT_EQ(str(got.at("tags").at(0).at("key")), "Power");
  EXPECT_EQ(str(got.at("tags").at(1).at("value")), "EXE Update");
  EXPECT_EQ(got.at("keys"), created.at("keys"));  // keys survive an update

  // Lists left out are replaced by nothing; status left out stays.
  ASSERT_EQ(call("PUT", clients() + "/" + id, json::serialize(json::object{{"name", "bare"}, {"product_id", kSgxPremium}})).status, 200);
  got = call("GET", clients() + "/" + id).json();
  EXPECT_TRUE(got.at("policy_ids").as_array().empty());
  EXPECT_TRUE(got.at("tags").as_array().empty());
  EXPECT_EQ(str(got.at("status")), "Inactive");

  // A bad PUT changes nothing.
  auto bad = call("PUT", clients() + "/" + id,
                  json::serialize(json::object{{"name", "bad"}, {"product_id", kSgxPremium}, {"policy_ids", json::array{p1, "00000000-0000-4000-8000-000000000000"}}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(str(call("GET", clients() + "/" + id).json().at("name")), "bare");
  EXPECT_EQ(call("PUT", clients() + "/00000000-0000-4000-8000-000000000000", json::serialize(client_body("x", kSgxPremium))).status, 404);
  // The body's shape is checked before the client is looked up (by the kernel, against the operation's schema).
  EXPECT_EQ(call("PUT", clients() + "/00000000-0000-4000-8000-000000000000", "{}").status, 400);
}

TEST_P(AttestationClients, DeleteClientAndPoliciesInUse) {
  std::string p1 = create_policy("p1");
  auto created = create_client(client_body("c", kSgxPremium, {p1}));
  std::string id = str(created.at("id"));

  auto in_use = call("DELETE", "/policies/" + p1);
  ASSERT_EQ(in_use.status, 409) << in_use.body;
  EXPECT_EQ(error_code(in_use), "POLICY_IN_USE");
  EXPECT_EQ(in_use.json().at("error").at("details").at("api_client_ids"), (json::array{id}));
  EXPECT_EQ(call("GET", "/policies/" + p1).status, 200);

  auto deleted = call("DELETE", clients() + "/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(call("GET", clients() + "/" + id).status, 404);
  EXPECT_EQ(call("GET", clients() + "/" + id + "/tags").status, 404);
  EXPECT_EQ(call("DELETE", clients() + "/" + id).status, 404);
  EXPECT_EQ(call("DELETE", "/policies/" + p1).status, 204);
  EXPECT_EQ(call("GET", "/policies/" + p1).status, 404);
  EXPECT_EQ(call("DELETE", "/policies/" + p1).status, 404);
}

TEST_P(AttestationClients, AnotherTenantsClientsAndPoliciesAre404) {
  std::string p1 = create_policy("p1");
  auto mine = create_client(client_body("mine", kSgxPremium, {p1}));
  std::string id = str(mine.at("id"));
  auto other = create_tenant(server->port(), owner.key, "other@example.com", "Other");
  ASSERT_FALSE(other.key.empty());

  EXPECT_TRUE(call("GET", clients(), {}, {}, other.key).json().as_array().empty());
  EXPECT_TRUE(call("GET", "/policies", {}, {}, other.key).json().as_array().empty());
  for (const std::string& path : {clients() + "/" + id, clients() + "/" + id + "/policies", clients() + "/" + id + "/tags",
                                  "/policies/" + p1})
    EXPECT_EQ(call("GET", path, {}, {}, other.key).status, 404) << path;
  EXPECT_EQ(call("PUT", clients() + "/" + id, json::serialize(client_body("stolen", kSgxPremium)), {}, other.key).status, 404);
  EXPECT_EQ(call("DELETE", clients() + "/" + id, {}, {}, other.key).status, 404);
  EXPECT_EQ(call("DELETE", "/policies/" + p1, {}, {}, other.key).status, 404);
  // Another tenant's policy id is unknown here.
  auto foreign = call("POST", clients(), json::serialize(client_body("x", kSgxPremium, {p1})), {}, other.key);
  EXPECT_EQ(foreign.status, 400) << foreign.body;
  // Plans are per tenant.
  ASSERT_EQ(call("PUT", "/services/" + kSgx + "/subscription", json::serialize(json::object{{"product_id", kSgxBasic}}), {},
                 other.key).status, 200);
  EXPECT_EQ(str(call("GET", "/services/" + kSgx + "/subscription").json().at("product_name")), "Premium");
  EXPECT_EQ(str(call("GET", clients() + "/" + id).json().at("name")), "mine");
}

// Cursor pagination (sdk/paging.hpp): the bodies stay bare arrays; the next
// page is the Link rel="next" header's URL, which keeps the filters.
TEST_P(AttestationClients, ListsArePagedWithALinkHeaderAndStayBareArrays) {
  std::set<std::string> sgx_policies;
  for (int i = 0; i < 5; ++i) sgx_policies.insert(create_policy("sgx-" + std::to_string(i)));
  create_policy("tdx", kTdx);
  auto all = call("GET", "/policies");  // no paging parameter: the whole (short) list, no Link
  ASSERT_EQ(all.status, 200);
  json::value everything = all.json();
  ASSERT_EQ(everything.as_array().size(), 6u);
  EXPECT_TRUE(all.header("link").empty());
  std::vector<std::string> in_order;  // oldest first (rows of one millisecond by id)
  for (auto& p : everything.as_array()) {
    if (!in_order.empty()) {
      EXPECT_LE(str(everything.as_array()[in_order.size() - 1].at("created_at")), str(p.at("created_at")));
    }
    in_order.push_back(str(p.at("id")));
  }
  EXPECT_EQ(walk("/policies?limit=2"), std::make_pair(in_order, 3));
  EXPECT_EQ(walk("/policies?limit=6").second, 1);
  auto sgx = walk("/policies?serviceId=" + kSgx + "&limit=2");
  EXPECT_EQ(sgx.second, 3);
  EXPECT_EQ(std::set<std::string>(sgx.first.begin(), sgx.first.end()), sgx_policies);
  EXPECT_EQ(sgx.first.size(), 5u);

  std::set<std::string> premium;
  for (int i = 0; i < 3; ++i) premium.insert(str(create_client(client_body("p" + std::to_string(i), kSgxPremium)).at("id")));
  std::string management = str(create_client(client_body("m", kSgxManagement)).at("id"));
  auto attestation = walk(clients() + "?productType=attestation&limit=1");
  EXPECT_EQ(attestation.second, 3);
  EXPECT_EQ(std::set<std::string>(attestation.first.begin(), attestation.first.end()), premium);
  EXPECT_EQ(walk(clients() + "?productType=management&limit=1"), std::make_pair(std::vector<std::string>{management}, 1));
  auto both = walk(clients()).first;  // one page
  ASSERT_EQ(both.size(), 4u);
  EXPECT_EQ(walk(clients() + "?limit=3"), std::make_pair(both, 2));

  for (const std::string& path : {std::string("/policies"), clients()}) {
    for (const char* query : {"?limit=501", "?limit=0", "?limit=two", "?cursor=not-a-cursor!", "?cursor=WyJhbi1pZCJd"}) {
      auto r = call("GET", path + query);
      EXPECT_EQ(r.status, 400) << path << query;
      EXPECT_EQ(str(r.json().at("error").at("details").at("field")), query[1] == 'l' ? "limit" : "cursor") << path << query;
    }
  }

  // Another tenant sees none of them, even from this tenant's cursors.
  auto other = create_tenant(server->port(), owner.key, "other@example.com", "Other");
  ASSERT_FALSE(other.key.empty());
  for (const std::string& path : {std::string("/policies"), clients()}) {
    EXPECT_TRUE(walk(path + "?limit=1", other.key).first.empty()) << path;
    std::string link = call("GET", path + "?limit=1").header("link");
    ASSERT_FALSE(link.empty()) << path;
    std::string url = link.substr(1, link.find('>') - 1);
    auto theirs = call("GET", url.substr(url.find("/management/v1") + 14), {}, {}, other.key);
    ASSERT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_TRUE(theirs.json().as_array().empty()) << path;
  }
}

TEST_P(AttestationClients, CredentialsWithoutTheScopeAre403) {
  std::string reader = scoped_key({"attestation:read"});
  std::string unrelated = scoped_key({"keys:read"});
  EXPECT_EQ(call("GET", clients(), {}, {}, reader).status, 200);
  auto denied = call("POST", clients(), json::serialize(client_body("x", kSgxPremium)), {}, reader);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(str(denied.json().at("error").at("details").at("missing_scope")), "attestation:write");
  EXPECT_EQ(call("GET", clients(), {}, {}, unrelated).status, 403);
  EXPECT_EQ(call("GET", "/services", {}, {}, unrelated).status, 403);
  EXPECT_EQ(http(server->port(), "POST", "/management/v1/api-clients/verify", bearer(reader), R"({"key": "x"})").status, 403);
  EXPECT_EQ(http(server->port(), "GET", "/management/v1" + clients()).status, 401);
}

TEST_P(AttestationClients, VerifyAnswersTheClientOfAKeyAndForgetsDeletedOnes) {
  std::string p1 = create_policy("p1");
  auto created = create_client(client_body("svc", kSgxPremium, {p1}));
  std::string id = str(created.at("id"));
  for (auto& k : created.at("keys").as_array()) {
    auto r = verify(str(k));
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = r.json();
    EXPECT_EQ(str(v.at("api_client_id")), id);
    EXPECT_EQ(str(v.at("tenant_id")), owner.tenant_id);
    EXPECT_EQ(str(v.at("service_id")), kSgx);
    EXPECT_EQ(str(v.at("service_offer_name")), "SGX Attestation");
    EXPECT_EQ(str(v.at("product_id")), kSgxPremium);
    EXPECT_EQ(str(v.at("product_name")), "Premium");
    EXPECT_EQ(v.at("policy_ids"), (json::array{p1}));
    EXPECT_EQ(str(v.at("status")), "Active");
  }
  std::string key = str(created.at("keys").at(0));
  // Wrong keys: unknown, one character off, malformed.
  std::string off = key;
  off.back() = off.back() == '0' ? '1' : '0';
  for (const std::string& bad : {off, std::string(32, '0'), std::string("not-a-key"), key + "0"}) {
    auto r = verify(bad);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(error_code(r), "INVALID_API_CLIENT_KEY");
  }
  EXPECT_EQ(verify(off).status, 401);  // also when the miss is remembered
  EXPECT_EQ(http(server->port(), "POST", "/management/v1/api-clients/verify", bearer(verifier), "{}").status, 400);

  // A change is seen at once, and a deleted client's keys stop verifying.
  ASSERT_EQ(call("PUT", clients() + "/" + id,
                 json::serialize(json::object{{"name", "svc"}, {"product_id", kSgxPremium}, {"status", "Inactive"}}))
                .status,
            200);
  auto inactive = verify(key).json();
  EXPECT_EQ(str(inactive.at("status")), "Inactive");
  EXPECT_TRUE(inactive.at("policy_ids").as_array().empty());
  ASSERT_EQ(call("DELETE", clients() + "/" + id).status, 204);
  EXPECT_EQ(verify(key).status, 401);
  EXPECT_EQ(verify(str(created.at("keys").at(1))).status, 401);
}

TEST_P(AttestationClients, KeysAreNeverStoredOrLoggedInPlaintext) {
  auto created = create_client(client_body("secret keeper", kSgxPremium));
  std::vector<std::string> keys;
  for (auto& k : created.at("keys").as_array()) keys.push_back(str(k));
  ASSERT_EQ(keys.size(), 2u);
  ASSERT_EQ(verify(keys[0]).status, 200);
  for (auto& k : keys) EXPECT_EQ(server->log().find(k), std::string::npos);

  std::string stored;
  if (GetParam() == Backend::sqlite) {
    server.reset();  // closes the database: the WAL lands in the file
    for (auto& e : fs::directory_iterator(dir.path()))
      if (e.path().filename().string().rfind("test.db", 0) == 0) stored += file_bytes(e.path());
    server = std::make_unique<ServerProcess>(config_file);
  } else {
    stored = pg_dump_text(db->url());
    ASSERT_NE(stored.find("attestation_client_keys"), std::string::npos) << stored.substr(0, 500);
  }
  ASSERT_NE(stored.find("secret keeper"), std::string::npos);  // the right database was read
  for (auto& k : keys) EXPECT_EQ(stored.find(k), std::string::npos) << "key stored in plaintext";

  // After a restart the keys are still shown and still verify.
  auto got = call("GET", clients() + "/" + str(created.at("id")));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("keys"), created.at("keys"));
  EXPECT_EQ(verify(keys[1]).status, 200);
}

TEST_P(AttestationClients, AnInconsistentCatalogRefusesToStart) {
  auto refused = [&](json::array services, const std::string& expected) {
    auto cfg = deployment();
    cfg["plugins"].as_array()[1].as_object()["config"] = json::object{{"services", std::move(services)}};
    auto r = run_ambit({"check", "--config", write_config(dir, cfg, "bad.json")});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE((r.out + r.err).find(expected), std::string::npos) << r.out << r.err;
  };
  auto with_products = [](json::array products) {
    return json::array{json::object{{"id", kSgx}, {"name", "SGX"}, {"products", std::move(products)}}};
  };
  refused(with_products({json::object{{"id", "nope"}, {"name", "Premium"}}}), "must be a UUID");
  refused(with_products({json::object{{"id", kSgxBasic}, {"name", "Premium"}}, json::object{{"id", kSgxBasic}, {"name", "Basic"}}}),
          "is used twice");
  refused(with_products({json::object{{"id", kSgxBasic}, {"name", "Premium"}}, json::object{{"id", kSgxPremium}, {"name", "Premium"}}}),
          "two products named");
  refused(with_products({json::object{{"id", kSgxBasic}, {"name", "Basic"}}}), "default_plan");
}

// The review's finding: every tenant's owner and admin held attestation:verify
// and could verify other tenants' keys, learning their tenant and policies.
TEST_P(AttestationClients, OnlyDedicatedKeysVerifyAndNarrowKeysCannotMintThem) {
  auto created = create_client(client_body("victim", kSgxPremium));
  std::string victim_key = str(created.at("keys").at(0));
  auto other = create_tenant(server->port(), owner.key, "other@example.com", "Other");
  for (const auto& broad : {owner.key, other.key}) {
    auto r = http(server->port(), "POST", "/management/v1/api-clients/verify", bearer(broad),
                  json::serialize(json::object{{"key", victim_key}}));
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(http(server->port(), "GET", "/v1/me", bearer(broad)).body.find("attestation:verify"), std::string::npos);
  }
  // A key narrowed to keys:manage cannot mint the dedicated scope...
  std::string narrow = scoped_key({"keys:manage"});
  auto minted = http(server->port(), "POST", "/v1/api_keys", bearer(narrow),
                     R"({"name": "sneaky", "scopes": ["attestation:verify"]})");
  EXPECT_EQ(minted.status, 403) << minted.body;
  EXPECT_EQ(str(minted.json().at("error").at("details").at("missing_scope")), "attestation:verify");
  // ...nor can an editor's whole key (the role may not be issued it); the
  // owner's full key can, and that key verifies.
  auto editor = invite_member(server->port(), owner.key, "editor@example.com", "editor");
  auto refused = http(server->port(), "POST", "/v1/api_keys", bearer(editor.key),
                      R"({"name": "e", "scopes": ["attestation:verify"]})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(verify(victim_key).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Db, AttestationClients, ::testing::ValuesIn(test_backends()), backend_param_name);

// Several processes on one PostgreSQL: a deleted client's keys stop verifying
// everywhere within a second.
class AttestationClientsOnPostgres : public AttestationClients {};

TEST_P(AttestationClientsOnPostgres, DeletionReachesOtherProcessesWithinASecond) {
  ServerProcess other(write_config(dir, deployment(), "other.json"));
  auto created = create_client(client_body("shared", kSgxPremium));
  std::string key = str(created.at("keys").at(0));
  ASSERT_EQ(verify(key, other.port()).status, 200);  // cached there
  ASSERT_EQ(verify(key, other.port()).status, 200);
  ASSERT_EQ(call("PUT", clients() + "/" + str(created.at("id")),
                 json::serialize(json::object{{"name", "shared"}, {"product_id", kSgxPremium}, {"status", "Inactive"}}))
                .status,
            200);
  EXPECT_TRUE(eventually([&] { return verify(key, other.port()).json().at("status").as_string() == "Inactive"; }, 1s));
  ASSERT_EQ(call("DELETE", clients() + "/" + str(created.at("id"))).status, 204);
  EXPECT_TRUE(eventually([&] { return verify(key, other.port()).status == 401; }, 1s));
}

INSTANTIATE_TEST_SUITE_P(Db, AttestationClientsOnPostgres, ::testing::Values(Backend::postgresql), backend_param_name);
