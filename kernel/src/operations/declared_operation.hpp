#pragma once
// An operation as the kernel keeps it: the plugin's declaration, its schemas
// compiled once, and its tool input schema (path, query and body inputs in
// one object). Built at setup, read-only while serving.

#include <optional>
#include <set>
#include <string>

#include "ambit/sdk/operation.hpp"
#include "http/router.hpp"
#include "schema/schema_validator.hpp"

namespace ambit::kernel {

struct DeclaredOperation {
  sdk::Operation decl;
  CompiledSchema params;                ///< always: every :name of the route is a required string
  std::optional<CompiledSchema> query;  ///< when declared
  std::optional<CompiledSchema> body;   ///< when declared and the kernel validates
  boost::json::object params_schema;    ///< decl.params completed (required names, string types)
  /// The tool's input: params, query and body properties side by side.
  boost::json::object input_schema;
  std::set<std::string, std::less<>> query_names;  ///< inputs that travel in the query
  bool body_is_object = false;  ///< body inputs are the object's properties, else the one input "body"
};

/// Check `op` against `route` (id form, path parameters, schemas that compile
/// with supported keywords, outputs), compile it and attach it to the route.
/// Throws std::invalid_argument naming the operation and the problem.
void add_operation(Router& router, sdk::RouteSpec route, sdk::Operation op, std::string owner);

/// Check `completion` (both operations declared, `owner` declares the first,
/// the poll is read-only, pointers well formed) and keep it in `router`.
/// Throws std::invalid_argument naming the problem.
void add_completion(Router& router, sdk::Completion completion, const std::string& owner);

/// Check `command` (a tool of `owner`'s, well-formed words, inputs that
/// exist) and keep it in `router`. Throws std::invalid_argument.
void add_cli_command(Router& router, sdk::CliCommand command, const std::string& owner);

/// Check `failure` (its completion declared by `owner`, a reason pointer)
/// and keep it in `router`. Throws std::invalid_argument.
void add_completion_failure(Router& router, sdk::CompletionFailure failure, const std::string& owner);

/// Once every plugin is set up: two tools with the same command words, or
/// one command's words the start of another's, are problems.
void check_cli_commands(const Router& router, std::vector<std::string>& problems);

/// The tool description of an operation (see sdk::Operations::tools), with
/// its command line shape and, when declared, its completion.
boost::json::object tool_json(const Router& router, const RouteEntry& route);

/// Whether the operation is offered as a tool: it acts for an authenticated
/// caller, takes JSON and the kernel validates its input.
bool is_tool(const RouteEntry& route);

}  // namespace ambit::kernel
