// Operations (SDK 1.4): what a declaration must get right to be accepted,
// how input is checked before the handler, and how a tool call's arguments
// become the request an HTTP client would have sent.
#include <gtest/gtest.h>

#include "ambit/sdk/error.hpp"
#include "operations/declared_operation.hpp"
#include "operations/operation_input.hpp"

using namespace ambit::kernel;
namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace {

sdk::RouteSpec route(std::string method, std::string path) {
  sdk::RouteSpec r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.scope = "things:write";
  r.handler = [](const sdk::Request&) { return sdk::Response::empty(); };
  return r;
}

sdk::Operation thing_set() {
  return {.id = "things.set",
          .title = "Set a thing",
          .description = "Creates or replaces a thing.",
          .params = sdk::schema(R"({"type": "object", "properties": {
              "thingId": {"type": "string", "maxLength": 8, "description": "the thing"}}})"),
          .query = sdk::schema(R"({"type": "object", "properties": {
              "dry_run": {"type": "boolean", "description": "check only"},
              "limit": {"type": "integer", "minimum": 1, "maximum": 10}}})"),
          .body = sdk::schema(R"({"type": "object", "required": ["conditions"], "additionalProperties": false,
              "properties": {
                "conditions": {"type": "array", "items": {"type": "object", "required": ["percentage"],
                  "properties": {"percentage": {"type": "integer", "minimum": 0, "maximum": 100}}}},
                "tags": {"type": "array", "items": {"type": "object", "required": ["key"],
                  "properties": {"key": {"type": "string", "maxLength": 4}}}}}})"),
          .output = sdk::data_of(sdk::schema(R"({"type": "object"})")),
          .idempotent = true};
}

sdk::Request request(const RouteEntry& r, sdk::StringPairs params, sdk::StringPairs query, std::string body) {
  sdk::Request req;
  req.method = r.spec.method;
  req.path_params = std::move(params);
  req.query_params = std::move(query);
  req.body = std::move(body);
  return req;
}

/// details.field of the 400 check_input throws, or "(accepted)".
std::string refused_field(const RouteEntry& r, const sdk::Request& req) {
  try {
    check_input(*r.operation, req);
    return "(accepted)";
  } catch (const sdk::ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.code(), "INVALID_INPUT");
    auto* f = e.details().if_contains("field");
    return f ? std::string(f->as_string()) : "";
  }
}

}  // namespace

TEST(Operations, ADeclarationIsCheckedAtStartup) {
  auto refused = [](sdk::RouteSpec r, sdk::Operation op) {
    Router router;
    try {
      add_operation(router, std::move(r), std::move(op), "p");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto op = thing_set();
  EXPECT_EQ(refused(route("PUT", "/things/:thingId"), op), "");
  op.id = "ThingsSet";
  EXPECT_NE(refused(route("PUT", "/things/:thingId"), op).find("<resource>.<action>"), std::string::npos);
  op = thing_set();
  EXPECT_NE(refused(route("PUT", "/things/:id"), op).find("not a :name"), std::string::npos);
  op.params = nullptr;
  op.body = sdk::schema(R"({"type": "object", "$ref": "#/x"})");
  EXPECT_NE(refused(route("PUT", "/things/:id"), op).find("body"), std::string::npos);
  op = thing_set();
  op.output = nullptr;
  EXPECT_NE(refused(route("PUT", "/things/:thingId"), op).find("output"), std::string::npos);
  op = thing_set();
  op.description.clear();
  EXPECT_NE(refused(route("PUT", "/things/:thingId"), op).find("description"), std::string::npos);

  Router router;
  add_operation(router, route("PUT", "/things/:thingId"), thing_set(), "p");
  EXPECT_THROW(add_operation(router, route("POST", "/other"), thing_set(), "q"), std::invalid_argument);
  EXPECT_NE(router.find_operation("things.set"), nullptr);
}

TEST(Operations, InputIsCheckedWithPathsNamingTheField) {
  Router router;
  add_operation(router, route("PUT", "/things/:thingId"), thing_set(), "p");
  const RouteEntry& r = *router.find_operation("things.set");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {}, R"({"conditions": [{"percentage": 5}]})")), "(accepted)");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {}, R"({"conditions": [{"percentage": 5}, {"percentage": 101}]})")),
            "conditions[1].percentage");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {}, R"({"conditions": [], "tags": [{"nokey": 1}]})")),
            "tags[0].key");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {}, R"({})")), "conditions");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {}, R"({"conditions": [], "extra": 1})")), "extra");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "much-too-long"}}, {}, R"({"conditions": []})")), "thingId");
  // Query values arrive as text and are converted to their declared type first.
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {{"limit", "3"}, {"dry_run", "true"}}, R"({"conditions": []})")),
            "(accepted)");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {{"limit", "3x"}}, R"({"conditions": []})")), "limit");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {{"limit", "11"}}, R"({"conditions": []})")), "limit");
  EXPECT_EQ(refused_field(r, request(r, {{"thingId", "t1"}}, {{"dry_run", "yes"}}, R"({"conditions": []})")), "dry_run");
  EXPECT_THROW(check_input(*r.operation, request(r, {{"thingId", "t1"}}, {}, "{not json")), sdk::ApiError);
}

TEST(Operations, ToolArgumentsBecomeTheHttpRequest) {
  Router router;
  add_operation(router, route("PUT", "/things/:thingId"), thing_set(), "p");
  const RouteEntry& r = *router.find_operation("things.set");
  auto input = r.operation->input_schema;
  EXPECT_EQ(input.at("properties").as_object().size(), 5u);  // thingId, dry_run, limit, conditions, tags
  EXPECT_EQ(input.at("additionalProperties"), false);

  auto req = request_from_arguments(
      r, json::object{{"thingId", "a b/c"}, {"limit", 2}, {"conditions", json::array{}}, {"tags", json::array{}}});
  EXPECT_EQ(req.path, "/things/a b/c");
  EXPECT_EQ(req.target, "/things/a%20b%2Fc?limit=2");
  EXPECT_EQ(req.param("thingId"), "a b/c");
  EXPECT_EQ(req.query("limit"), "2");
  EXPECT_EQ(json::parse(req.body), (json::object{{"conditions", json::array{}}, {"tags", json::array{}}}));
  EXPECT_EQ(refused_field(r, req), "(accepted)");

  EXPECT_THROW(request_from_arguments(r, json::object{{"nope", 1}}), sdk::ApiError);
  // A missing path parameter is reported by the check, as over HTTP.
  EXPECT_EQ(refused_field(r, request_from_arguments(r, json::object{{"conditions", json::array{}}})), "thingId");
}

// SDK 1.7: how the CLI shows a tool, in the tool list every client reads.
TEST(Operations, ToolsCarryTheirCommandLineShapeDefaultOrDeclared) {
  Router router;
  add_operation(router, route("PUT", "/projects/:projectId/things/:thingId"), thing_set(), "p");
  auto tool = tool_json(router, *router.find_operation("things.set"));
  // The default: words from the id, the path parameters but projectId as arguments.
  EXPECT_EQ(json::serialize(tool.at("cli")), R"({"command":"things set","positional":["thingId"]})");
  EXPECT_FALSE(tool.contains("completion"));

  add_cli_command(router, {.operation = "things.set", .words = "things put", .positional = {"thingId", "conditions"}}, "p");
  tool = tool_json(router, *router.find_operation("things.set"));
  EXPECT_EQ(json::serialize(tool.at("cli")), R"({"command":"things put","positional":["thingId","conditions"]})");

  auto refused = [&](sdk::CliCommand c, const std::string& owner = "p") {
    try {
      add_cli_command(router, std::move(c), owner);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(refused({.operation = "things.nope"}).find("no such tool"), std::string::npos);
  EXPECT_NE(refused({.operation = "things.set"}, "q").find("declared by p"), std::string::npos);
  EXPECT_NE(refused({.operation = "things.set", .words = "Things Put"}).find("lower-case"), std::string::npos);
  EXPECT_NE(refused({.operation = "things.set", .positional = {"nope"}}).find("takes no input nope"), std::string::npos);
  EXPECT_NE(refused({.operation = "things.set", .positional = {"limit", "limit"}}).find("twice"), std::string::npos);
  EXPECT_NE(refused({.operation = "things.set"}).find("declares its command twice"), std::string::npos);
}

TEST(Operations, TwoToolsWithTheSameCommandWordsAreAStartupProblem) {
  Router router;
  add_operation(router, route("PUT", "/things/:thingId"), thing_set(), "p");
  auto other = thing_set();
  other.id = "thing_keys.create";
  add_operation(router, route("POST", "/things/:thingId/keys"), other, "q");
  std::vector<std::string> problems;
  check_cli_commands(router, problems);
  EXPECT_TRUE(problems.empty());

  add_cli_command(router, {.operation = "thing_keys.create", .words = "things set"}, "q");
  check_cli_commands(router, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("both the command \"things set\""), std::string::npos) << problems[0];

  Router nested;  // a command that is also the start of another cannot be both a command and a group
  add_operation(nested, route("PUT", "/things/:thingId"), thing_set(), "p");
  add_operation(nested, route("POST", "/things/:thingId/keys"), other, "q");
  add_cli_command(nested, {.operation = "thing_keys.create", .words = "things set keys"}, "q");
  problems.clear();
  check_cli_commands(nested, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("also the start of"), std::string::npos) << problems[0];
}

TEST(Operations, ACompletionsFailureStatusesTravelWithTheTool) {
  Router router;
  add_operation(router, route("PUT", "/things/:thingId"), thing_set(), "p");
  auto get = thing_set();
  get.id = "things.get";
  get.body = nullptr;
  get.read_only = true;
  add_operation(router, route("GET", "/things/:thingId"), get, "p");
  EXPECT_THROW(add_completion_failure(router, {.operation = "things.set", .statuses = {"failed"}, .reason = "/data/error"}, "p"),
               std::invalid_argument);  // no completion yet
  add_completion(router, {.operation = "things.set", .poll = "things.get", .arguments = {{"thingId", "/input/thingId"}},
                          .status = "/data/status", .pending = {"working"}}, "p");
  EXPECT_THROW(add_completion_failure(router, {.operation = "things.set", .statuses = {}, .reason = "/data/error"}, "p"),
               std::invalid_argument);
  EXPECT_THROW(add_completion_failure(router, {.operation = "things.set", .statuses = {"failed"}, .reason = "data"}, "p"),
               std::invalid_argument);
  add_completion_failure(router, {.operation = "things.set", .statuses = {"failed"}, .reason = "/data/error"}, "p");
  auto tool = tool_json(router, *router.find_operation("things.set"));
  EXPECT_EQ(json::serialize(tool.at("completion")),
            R"({"poll":"things.get","arguments":{"thingId":"/input/thingId"},"status":"/data/status",)"
            R"("pending":["working"],"failed":["failed"],"reason":"/data/error"})");
}
