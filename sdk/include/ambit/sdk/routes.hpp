#pragma once
// RouteGroup: the routes of one API under a common prefix, each with its
// scope and the endpoint's own failure code (sdk::with_failure_code; the
// failure is logged with the route and request id). (SDK 1.1)
//
//   sdk::RouteGroup api{ctx, "/v1/admin/projects", {"projects"}};
//   api.add("POST", "", "projects:write", "Create a project", "CREATE_FAILED", handler);
//   api.add(route_spec, "VERIFY_FAILED");  // may_block, auth, schemas of your own (SDK 1.2)

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
    r.path = std::move(path);
    r.scope = std::move(scope);
    r.summary = std::move(summary);
    r.handler = std::move(handler);
    add(std::move(r), std::move(failure_code));
  }

  /// A route spelled out in full (may_block, auth, schemas): the group adds
  /// its prefix to `route.path`, its tags, and the failure code.
  void add(RouteSpec route, std::string failure_code) const {
    route.path = prefix + route.path;
    route.tags.insert(route.tags.end(), tags.begin(), tags.end());
    Context* c = &ctx;
    route.handler = with_failure_code(std::move(failure_code), std::move(route.handler),
                                      [c](const Request& req, const std::exception& e) {
                                        c->logger().error("request failed", {{"plugin", std::string(c->plugin_name())},
                                                                             {"route", req.route},
                                                                             {"request_id", req.request_id},
                                                                             {"error", e.what()}});
                                      });
    ctx.add_route(std::move(route));
  }
};

}  // namespace v1
}  // namespace ambit::sdk
