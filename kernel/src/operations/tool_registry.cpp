#include "operations/tool_registry.hpp"

#include "http/dispatcher.hpp"
#include "operations/declared_operation.hpp"
#include "operations/operation_input.hpp"

namespace json = boost::json;

namespace ambit::kernel {

json::array ToolRegistry::tools(const sdk::Principal& caller) const {
  std::vector<const RouteEntry*> found;
  for (auto& route : router_.routes())
    if (is_tool(*route) && (route->spec.scope.empty() || caller.has_scope(route->spec.scope))) found.push_back(route.get());
  std::sort(found.begin(), found.end(),
            [](auto* a, auto* b) { return a->operation->decl.id < b->operation->decl.id; });
  json::array out;
  for (auto* route : found) out.push_back(tool_json(*route));
  return out;
}

sdk::Response ToolRegistry::invoke(std::string_view id, const sdk::Principal& caller, const json::object& arguments) {
  return invoke_tool(id, caller, arguments, {});
}

sdk::Response ToolRegistry::invoke_tool(std::string_view id, const sdk::Principal& caller,
                                        const json::object& arguments, std::string_view tool) {
  const RouteEntry* route = router_.find_operation(id);
  if (!route || !is_tool(*route))
    return error_response(404, "NOT_FOUND", "no tool " + std::string(id));
  Dispatcher* dispatcher = dispatcher_.load();
  if (!dispatcher) return error_response(503, "UNAVAILABLE", "the server is not serving");
  sdk::Request req;
  try {
    req = request_from_arguments(*route, arguments);
  } catch (const sdk::ApiError& e) {
    return error_response(e.status(), e.code(), e.message(), e.details());
  }
  return dispatcher->invoke(*route, std::move(req), caller, tool);
}

void register_tools_route(Router& router, const ToolRegistry& tools) {
  sdk::RouteSpec r;
  r.method = "GET";
  r.path = "/v1/tools";
  r.tags = {"tools"};
  r.may_block = false;
  r.handler = [&tools](const sdk::Request& req) { return sdk::Response::data(tools.tools(req.caller())); };
  sdk::Operation op{
      .id = "tools.list",
      .title = "List the tools you may call",
      .description = "Every operation of this deployment that the calling credential holds the scope for, as a "
                     "tool: its id, title, description, one input schema (path and query parameters and body "
                     "fields side by side), output schema, hints and scope. The MCP server and the CLI are built "
                     "on this list.",
      .output = sdk::data_of(sdk::schema(R"({"type": "array", "items": {"type": "object",
          "required": ["id", "title", "description", "scope", "input_schema", "output_schema", "hints"],
          "properties": {
            "id": {"type": "string", "description": "<resource>.<action>"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "scope": {"type": ["string", "null"], "description": "the scope a caller needs"},
            "input_schema": {"type": "object"},
            "output_schema": {"type": "object"},
            "hints": {"type": "object", "properties": {
              "read_only": {"type": "boolean"}, "destructive": {"type": "boolean"}, "idempotent": {"type": "boolean"}}},
            "method": {"type": "string", "description": "the HTTP route the tool wraps"},
            "path": {"type": "string"},
            "query": {"type": "array", "items": {"type": "string"}, "description": "inputs sent as query parameters"},
            "plugin": {"type": "string"}}}})")),
      .read_only = true,
      .idempotent = true};
  add_operation(router, std::move(r), std::move(op), "kernel");
}

}  // namespace ambit::kernel
