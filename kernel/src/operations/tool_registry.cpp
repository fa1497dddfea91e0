#include "operations/tool_registry.hpp"

#include <botan/hash.h>
#include <botan/hex.h>

#include "http/dispatcher.hpp"
#include "operations/declared_operation.hpp"
#include "operations/operation_input.hpp"

namespace json = boost::json;

namespace ambit::kernel {

json::array ToolRegistry::tools(const sdk::Principal& caller) const { return tools(caller, false); }

json::array ToolRegistry::tools(const sdk::Principal& caller, bool all) const {
  std::vector<const RouteEntry*> found;
  for (auto& route : router_.routes())
    if (is_tool(*route) && (all || route->spec.scope.empty() || caller.has_scope(route->spec.scope)))
      found.push_back(route.get());
  std::sort(found.begin(), found.end(),
            [](auto* a, auto* b) { return a->operation->decl.id < b->operation->decl.id; });
  json::array out;
  for (auto* route : found) {
    auto tool = tool_json(router_, *route);
    if (all) tool["permitted"] = route->spec.scope.empty() || caller.has_scope(route->spec.scope);
    out.push_back(std::move(tool));
  }
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
  // The list changes with the deployment's operations and the caller's
  // scopes: an ETag lets a client that caches it (the CLI) revalidate cheaply.
  r.handler = [&tools](const sdk::Request& req) {
    sdk::Response list = sdk::Response::data(tools.tools(req.caller(), req.query("all") == "true"));
    auto sha = Botan::HashFunction::create_or_throw("SHA-256");
    std::string etag = "\"" + Botan::hex_encode(sha->process(list.body)).substr(0, 32) + "\"";
    if (auto match = req.header("If-None-Match"); match && *match == etag)
      return sdk::Response::empty(304).with_header("ETag", etag).with_header("Cache-Control", "no-cache");
    return std::move(list.with_header("ETag", etag).with_header("Cache-Control", "no-cache"));
  };
  sdk::Operation op{
      .id = "tools.list",
      .title = "List the tools you may call",
      .description = "Every operation of this deployment that the calling credential holds the scope for, as a "
                     "tool: its id, title, description, one input schema (path and query parameters and body "
                     "fields side by side), output schema, hints and scope, its command line shape, and how to wait "
                     "for work that goes on after it answers. The MCP server and the CLI are built on this list. "
                     "With all=true, the tools the caller lacks the scope for are listed too (the CLI shows them, "
                     "so that calling one names the missing scope); the same list is public in /openapi.json. "
                     "The answer carries an ETag: the same value in If-None-Match answers 304 without a body.",
      .query = sdk::schema(R"({"type": "object", "properties": {"all": {"type": "boolean",
          "description": "also the tools the caller lacks the scope for, each with permitted false"}}})"),
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
            "plugin": {"type": "string"},
            "permitted": {"type": "boolean", "description": "with ?all=true: whether the caller holds the scope"},
            "cli": {"type": "object", "required": ["command", "positional"], "description": "how the ambit CLI shows it",
              "properties": {
                "command": {"type": "string", "description": "the words after ambit: \"secrets set\""},
                "positional": {"type": "array", "items": {"type": "string"},
                               "description": "the inputs taken as arguments, in order; the others are flags"}}},
            "completion": {"type": "object", "required": ["poll", "arguments", "status", "pending"],
              "description": "present when the work goes on after the answer: how to wait for its end",
              "properties": {
                "poll": {"type": "string", "description": "the read-only tool that shows how far it is"},
                "arguments": {"type": "object", "description": "poll's arguments: name -> JSON Pointer into {input, output}"},
                "status": {"type": "string", "description": "JSON Pointer of the status in poll's success body"},
                "pending": {"type": "array", "items": {"type": "string"}, "description": "the statuses that mean still working"},
                "failed": {"type": "array", "items": {"type": "string"}, "description": "the statuses that mean it failed"},
                "reason": {"type": "string", "description": "JSON Pointer of the failure's reason in poll's success body"}}}}}})")),
      .read_only = true,
      .idempotent = true};
  add_operation(router, std::move(r), std::move(op), "kernel");
}

}  // namespace ambit::kernel
