#pragma once
// The deployment's operations as MCP tools: names, listings and results.
// Built once at start from the operation registry (Context::operations), so
// a third-party plugin's operations are tools without any change here.

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/context.hpp"

namespace mcp {

namespace sdk = ambit::sdk;

struct Tool {
  std::string name;   ///< "amba_secrets_set"
  std::string id;     ///< "secrets.set"
  std::string scope;  ///< "" when any caller may call it
  boost::json::object listing;  ///< the MCP Tool object of tools/list
  bool structured = false;      ///< the output is an object: structuredContent
};

/// "<prefix>_<id with . as _>"
std::string tool_name(std::string_view prefix, std::string_view operation_id);

class ToolCatalog {
 public:
  /// Every operation that is a tool; throws std::runtime_error when two
  /// map to one name or a name breaks MCP's rules.
  void build(sdk::Context& ctx, const std::string& prefix);
  const Tool* find(std::string_view name) const;
  /// One page of tools/list for `caller` (only tools it holds the scope
  /// for), after the tool named `cursor`; false when the cursor is no tool.
  bool page(const sdk::Principal& caller, std::string_view cursor, int size, boost::json::object& result) const;

 private:
  std::vector<Tool> tools_;  ///< sorted by name
};

/// The tools/call result of an operation's HTTP answer: structuredContent
/// (the success body) and the same as text; an error answer is isError with
/// its code, message and details (missing_scope) as text.
boost::json::object call_result(const sdk::Response& answer, bool structured);
/// call_result serialized. A success's JSON body is spliced in as it is
/// (once as structuredContent, once escaped as text), not parsed again: the
/// hot path of a tool call.
std::string call_result_text(const sdk::Response& answer, bool structured);

}  // namespace mcp
