#pragma once
// RouteGroup: the routes of one API under a common prefix, each with its
// scope and the endpoint's own failure code (sdk::with_failure_code; the
// failure is logged with the route and request id). (SDK 1.1)
//
//   sdk::RouteGroup api{ctx, "/v1/admin/projects", {"projects"}};
//   api.add("POST", "", "projects:write", "Create a project", "CREATE_FAILED", handler);
//   api.add(route_spec, "VERIFY_FAILED");  // may_block, auth, schemas of your own (SDK 1.2)
//   api.operation({.id = "projects.create", ...}, "POST", "", "projects:write", "CREATE_FAILED", handler);
//   api.operation(operation, route_spec, "VERIFY_FAILED");  // (SDK 1.4; see operation.hpp)

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
  void add(RouteSpec route, std::string failure_code) const { ctx.add_route(prepare(std::move(route), std::move(failure_code))); }

  /// A route that declares its operation (SDK 1.4).
  void operation(Operation op, std::string method, std::string path, std::string scope, std::string failure_code,
                 Handler handler) const {
    RouteSpec r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.scope = std::move(scope);
    r.handler = std::move(handler);
    operation(std::move(op), std::move(r), std::move(failure_code));
  }
  /// The same, with the route spelled out (may_block, auth).
  void operation(Operation op, RouteSpec route, std::string failure_code) const {
    ctx.add_operation(prepare(std::move(route), std::move(failure_code)), std::move(op));
  }

 private:
  RouteSpec prepare(RouteSpec route, std::string failure_code) const {
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
    return route;
  }
};

}  // namespace v1
}  // namespace ambit::sdk
