#pragma once
// Operation: the unit of the API (SDK 1.4). One declaration next to a route
// gives request validation (before the handler runs), the route's entry in
// /openapi.json, and a tool in the registry (GET /v1/tools, and
// Context::operations()) that the MCP server, the CLI and the console use.
//
//   api.operation({.id = "greetings.get",
//                  .title = "Greet someone",
//                  .description = "Says hello and counts the visits of this name.",
//                  .params = sdk::schema(R"({"type": "object", "properties": {
//                      "name": {"type": "string", "maxLength": 64, "description": "Who to greet"}}})"),
//                  .output = sdk::data_of(sdk::schema(R"({"type": "object", ...})")),
//                  .errors = {{404, "NOT_FOUND", "nobody by that name"}},
//                  .read_only = true},
//                 "GET", "/:name", "greetings:read", "GREET_FAILED", handler);
//
// Schemas are JSON Schema, restricted to the keywords listed in
// docs/plugin-author.md ("Operations"); a schema using another keyword is a
// startup error. Their meaning is the same in drafts 7 and 2020-12.
//
// ABI: Operation and ErrorCase are built by plugins, so they are frozen from
// 1.4 on: a later minor adds a new type or a new registration call, never a
// member.

#include <boost/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ambit/sdk/http.hpp"
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/principal.hpp"

namespace ambit::sdk {
inline namespace v1 {

/// An error an operation can answer, beyond the kernel's own (400
/// INVALID_INPUT for input that breaks a schema, 401, 403, 429, 503).
struct ErrorCase {
  int status = 400;
  std::string code{};  ///< as in the error envelope: "NOT_FOUND", "RESERVED_BINDING"
  std::string when{};  ///< for a person: "the project does not exist"
};

struct Operation {
  std::string id{};           ///< "<resource>.<action>", e.g. "secrets.set"; unique in a deployment
  std::string title{};        ///< a short phrase: "Set a secret"
  std::string description{};  ///< for a person: tool and CLI help, the API reference
  /// Object schema of the path parameters: one property per :name of the
  /// route, each a string schema with a description. Null: plain strings.
  boost::json::value params{};
  /// Object schema of the query parameters, or null (none are read). A
  /// property typed integer, number or boolean is converted from its text
  /// before it is checked.
  boost::json::value query{};
  /// Schema of the request body, or null (no body). An empty body counts as {}.
  boost::json::value body{};
  /// Schema of the whole success body (see data_of and page_of), or null for
  /// no body (204).
  boost::json::value output{};
  /// The success statuses, the usual one first (POST that creates: {201};
  /// PUT that creates or replaces: {201, 200}).
  std::vector<int> statuses{200};
  std::vector<ErrorCase> errors{};
  bool read_only = false;    ///< changes nothing
  bool destructive = false;  ///< may delete or overwrite what a caller cannot get back
  bool idempotent = false;   ///< sending it twice has the effect of sending it once
  /// Media types when not JSON: the body's ("application/x-www-form-urlencoded")
  /// and the success body's ("text/html").
  std::string body_media_type = "application/json";
  std::string output_media_type = "application/json";
  /// true: the handler checks its input itself and answers in its protocol's
  /// own error format (OAuth's RFC 6749 bodies); the schemas only document
  /// the operation and the kernel does not validate. Such an operation is no tool.
  bool handler_validates = false;
  /// Optional examples for the reference, ideally from the product docs:
  /// {"body": {...}, "output": {...}}.
  boost::json::value examples{};
};

/// Work that goes on after an operation answers (SDK 1.5): a created
/// project provisions, a set secret syncs. Declared next to the operation
/// (Context::add_completion) so a client can wait for the end: the MCP
/// server reports progress and answers when `poll` shows the work is done.
///
///   ctx.add_completion({.operation = "projects.create", .poll = "projects.get",
///                       .arguments = {{"projectId", "/output/data/id"}},
///                       .status = "/data/status", .pending = {"provisioning"}});
struct Completion {
  std::string operation{};  ///< the operation that starts the work
  std::string poll{};       ///< a read-only operation that shows how far it is
  /// poll's arguments: name -> JSON Pointer into {"input": the first call's
  /// arguments, "output": its success body}. A pointer that finds nothing
  /// leaves the argument out.
  std::vector<std::pair<std::string, std::string>> arguments{};
  std::string status{};                ///< JSON Pointer of the status in poll's success body
  std::vector<std::string> pending{};  ///< the statuses that mean "still working"
};

/// How the command line shows an operation (SDK 1.7), declared next to it
/// (Context::add_cli_command). Without one, `ambit` shows operation
/// "api_keys.rotate" as `ambit api-keys rotate ID`: the words from the id
/// (`_` as `-`), the path parameters but projectId as arguments in path
/// order, every other input as a flag (projectId as --project).
///
///   ctx.add_cli_command({.operation = "secrets.set", .positional = {"name", "value"}});
///   ctx.add_cli_command({.operation = "project_keys.create", .words = "projects keys create"});
struct CliCommand {
  std::string operation{};               ///< the operation, declared already by this plugin
  std::string words{};                   ///< "projects keys create"; empty: from the id
  std::vector<std::string> positional{};  ///< inputs taken as arguments, in order; empty: the default
};

/// The statuses of a Completion's poll that mean the work failed (SDK 1.7,
/// Context::add_completion_failure): a client that waits stops there and
/// shows the reason. A status may also be pending ("sync_failed_retrying":
/// failed, and retried by the server).
struct CompletionFailure {
  std::string operation{};              ///< as its Completion's operation
  std::vector<std::string> statuses{};  ///< e.g. {"failed"}
  std::string reason{};                 ///< JSON Pointer of the reason in the poll's success body
};

/// The operations of the deployment, as tools: what the MCP server, the CLI
/// and plugins use to act for a caller. Complete from start().
class Operations {
 public:
  virtual ~Operations() = default;
  /// The tools `caller` may call (it holds their scope), each
  /// {"id", "title", "description", "scope", "input_schema", "output_schema",
  ///  "hints": {"read_only", "destructive", "idempotent"}, "method", "path",
  ///  "query" (the inputs sent as query parameters), "plugin"}.
  /// input_schema is one object: path and query parameters and the body's
  /// properties side by side (a body that is not an object is "body").
  virtual boost::json::array tools(const Principal& caller) const = 0;
  /// Call operation `id` as `caller` with `arguments` shaped as its
  /// input_schema. It runs what an HTTP request runs: scope check,
  /// validation, handler, audit row and metrics, and returns the response an
  /// HTTP client would get (404 NOT_FOUND for an unknown id). From a
  /// handler registered with may_block = false it runs on the I/O thread and
  /// throws WouldBlock when the operation would block (let it pass: the
  /// kernel runs your handler again on a worker, as for will_block()).
  virtual Response invoke(std::string_view id, const Principal& caller, const boost::json::object& arguments) = 0;

  // --- SDK 1.5 ----------------------------------------------------------------
  /// invoke, for a client that called the operation by the tool name `tool`
  /// ("amba_secrets_set"): its audit row records the tool name. Called while
  /// serving an HTTP request of the same caller (an MCP message), that
  /// request writes no audit row of its own: the call is its row.
  virtual Response invoke_tool(std::string_view id, const Principal& caller, const boost::json::object& arguments,
                               std::string_view tool) = 0;
  /// How operation `id` finishes after it answers, when a plugin declared it
  /// (Context::add_completion); null otherwise.
  virtual const Completion* completion(std::string_view id) const = 0;
};

/// A schema written as JSON text; throws std::invalid_argument at setup
/// when the text is not JSON. In a raw string, a description holding `)"`
/// ends the string early: pick a delimiter, R"json(...)json".
inline boost::json::value schema(std::string_view json_text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json_text, ec);
  if (ec) throw std::invalid_argument("schema is not valid JSON: " + ec.message() + ": " + std::string(json_text.substr(0, 80)));
  return v;
}

/// `schema` (an object schema) with `more` added to its properties.
inline boost::json::value with_properties(boost::json::value schema, const boost::json::object& more) {
  auto& props = schema.as_object()["properties"].as_object();
  for (const auto& [name, s] : more) props[name] = s;
  return schema;
}

/// `schema` with its description set.
inline boost::json::value described(boost::json::value schema, std::string_view description) {
  schema.as_object()["description"] = description;
  return schema;
}

/// `schema` (of one type) that also takes null; null joins its enum too.
inline boost::json::value nullable(boost::json::value schema) {
  auto& o = schema.as_object();
  o["type"] = boost::json::array{o["type"], "null"};
  if (auto* e = o.if_contains("enum")) e->as_array().emplace_back(nullptr);
  return schema;
}

/// A time as sdk/time.hpp writes it (RFC 3339, UTC).
inline boost::json::value date_time(std::string_view description) {
  return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}

/// The REST success envelope {"data": payload} as a schema.
inline boost::json::value data_of(boost::json::value payload) {
  return {{"type", "object"},
          {"required", boost::json::array{"data"}},
          {"properties", {{"data", std::move(payload)}}}};
}

/// A page of a list (see paging.hpp): {"data": [item...], "next_cursor": string|null}.
inline boost::json::value page_of(boost::json::value item) {
  return {{"type", "object"},
          {"required", boost::json::array{"data", "next_cursor"}},
          {"properties",
           {{"data", {{"type", "array"}, {"items", std::move(item)}}},
            {"next_cursor",
             {{"type", boost::json::array{"string", "null"}},
              {"description", "pass as ?cursor= for the next page; null on the last page"}}}}}};
}

/// The query parameters of a paged list (paging.hpp): limit and cursor, plus
/// `more` properties of the operation's own ({"function": {...}}).
inline boost::json::value page_query(boost::json::object more = {}, PageLimits limits = {}) {
  boost::json::object props{
      {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", limits.max_limit},
                 {"description", "rows per page (default " + std::to_string(limits.default_limit) + ")"}}},
      {"cursor", {{"type", "string"}, {"maxLength", paging_detail::kMaxCursorChars},
                  {"description", "next_cursor of the previous page, unchanged"}}}};
  for (auto& [k, v] : more) props[k] = v;
  return {{"type", "object"}, {"properties", std::move(props)}};
}

}  // namespace v1
}  // namespace ambit::sdk
