#pragma once
// RouteGroup: the routes of one API under a common prefix, each with its
// scope and the endpoint's own failure code (sdk::with_failure_code; the
// failure is logged with the route and request id). (SDK 1.1)
//
//   sdk::RouteGroup api{ctx, "/v1/admin/projects", {"projects"}};
//   api.add("POST", "", "projects:write", "Create a project", "CREATE_FAILED", handler);

#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"

namespace ambit::sdk {
inline namespace v1 {

struct RouteGroup {
  Context& ctx;
  std::string prefix;             ///< prepended to every path
  std::vector<std::string> tags;  ///< OpenAPI tags

  void add(std::string method, std::string path, std::string scope, std::string summary, std::string failure_code,
           Handler handler) const {
    RouteSpec r;
    r.method = std::move(method);
    r.path = prefix + path;
    r.scope = std::move(scope);
    r.summary = std::move(summary);
    r.tags = tags;
    Context* c = &ctx;
    r.handler = with_failure_code(std::move(failure_code), std::move(handler),
                                  [c](const Request& req, const std::exception& e) {
                                    c->logger().error("request failed", {{"plugin", std::string(c->plugin_name())},
                                                                         {"route", req.route},
                                                                         {"request_id", req.request_id},
                                                                         {"error", e.what()}});
                                  });
    ctx.add_route(std::move(r));
  }
};

}  // namespace v1
}  // namespace ambit::sdk
