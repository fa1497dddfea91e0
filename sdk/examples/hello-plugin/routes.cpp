#include "routes.hpp"

namespace sdk = ambit::sdk;

namespace hello {

void register_routes(sdk::Context& ctx, std::shared_ptr<Store> store, std::string greeting) {
  sdk::RouteSpec r;
  r.method = "GET";
  r.path = "/hello/:name";
  r.auth = sdk::AuthMode::none;  // a real plugin would require a scope: r.scope = "hello:read"
  r.summary = "Greet someone and count their visits";
  r.tags = {"hello"};
  r.response_schema = {{"type", "object"}};
  r.handler = [&ctx, store, greeting](const sdk::Request& req) {
    const std::string& name = req.param("name");
    if (name.size() > 64) throw sdk::ApiError::invalid_input("name must be at most 64 characters", "name");
    std::int64_t visits = store->record_visit(name, ctx.clock().now_ms());
    return sdk::Response::data({{"message", greeting + ", " + name + "!"}, {"visits", visits}});
  };
  ctx.add_route(std::move(r));
}

}  // namespace hello
