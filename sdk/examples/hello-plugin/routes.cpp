#include "routes.hpp"

#include "ambit/sdk/operation.hpp"

namespace sdk = ambit::sdk;

namespace hello {

void register_routes(sdk::Context& ctx, std::shared_ptr<Store> store, std::string greeting) {
  sdk::RouteSpec r;
  r.method = "GET";
  r.path = "/hello/:name";
  r.auth = sdk::AuthMode::none;  // a real plugin would require a scope: r.scope = "hello:read"
  r.tags = {"hello"};
  r.handler = [&ctx, store, greeting](const sdk::Request& req) {
    // The kernel has checked `name` against the schema below before this runs.
    const std::string& name = req.param("name");
    std::int64_t visits = store->record_visit(name, ctx.clock().now_ms());
    return sdk::Response::data({{"message", greeting + ", " + name + "!"}, {"visits", visits}});
  };
  // The operation: validation, the /openapi.json entry and the tool, declared once (SDK 1.4).
  ctx.add_operation(std::move(r), {
      .id = "greetings.get",
      .title = "Greet someone",
      .description = "Greets `name` and counts how often this name was greeted.",
      .params = sdk::schema(R"({"type": "object", "properties": {
          "name": {"type": "string", "maxLength": 64, "description": "who to greet"}}})"),
      .output = sdk::data_of(sdk::schema(R"({"type": "object", "required": ["message", "visits"], "properties": {
          "message": {"type": "string", "examples": ["Hello, Ada!"]},
          "visits": {"type": "integer", "minimum": 1, "description": "greetings of this name so far"}}})")),
      .examples = {{"output", {{"data", {{"message", "Hello, Ada!"}, {"visits", 1}}}}}},
  });

  // An operation that needs a credential and a scope is also a tool: an MCP
  // client calls it as <prefix>_greetings_visits, the CLI as a command. (SDK 1.4)
  ctx.add_scope("hello:read", "read how often names were greeted");
  sdk::RouteSpec count;
  count.method = "GET";
  count.path = "/hello/:name/visits";
  count.scope = "hello:read";
  count.tags = {"hello"};
  count.handler = [store](const sdk::Request& req) {
    const std::string& name = req.param("name");
    return sdk::Response::data({{"name", name}, {"visits", store->visits(name)}});
  };
  ctx.add_operation(std::move(count), {
      .id = "greetings.visits",
      .title = "Count the greetings of a name",
      .description = "How often `name` was greeted so far, without greeting it.",
      .params = sdk::schema(R"({"type": "object", "properties": {
          "name": {"type": "string", "maxLength": 64, "description": "the name"}}})"),
      .output = sdk::data_of(sdk::schema(R"({"type": "object", "required": ["name", "visits"], "properties": {
          "name": {"type": "string"},
          "visits": {"type": "integer", "minimum": 0, "description": "greetings of this name so far"}}})")),
      .read_only = true,
      .idempotent = true,
  });
}

}  // namespace hello
