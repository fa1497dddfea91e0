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
}

}  // namespace hello
