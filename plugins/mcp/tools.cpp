#include "tools.hpp"

#include <algorithm>
#include <stdexcept>

namespace json = boost::json;

namespace mcp {

std::string tool_name(std::string_view prefix, std::string_view operation_id) {
  std::string name(prefix);
  name += '_';
  for (char c : operation_id) name += c == '.' ? '_' : c;
  return name;
}

namespace {

bool valid_name(const std::string& name) {
  // MCP: 1 to 128 characters of [A-Za-z0-9_.-]; clients often cut at 64.
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool is_object_schema(const json::value& schema) {
  auto* o = schema.if_object();
  if (!o) return false;
  auto* type = o->if_contains("type");
  return type && type->is_string() && type->as_string() == "object";
}

Tool make_tool(const json::object& t, const std::string& prefix) {
  Tool tool;
  tool.id = std::string(t.at("id").as_string());
  tool.name = tool_name(prefix, tool.id);
  if (!valid_name(tool.name)) throw std::runtime_error("operation " + tool.id + " gives the invalid tool name " + tool.name);
  if (t.at("scope").is_string()) tool.scope = std::string(t.at("scope").as_string());
  const auto& hints = t.at("hints").as_object();
  tool.listing = {{"name", tool.name},
                  {"title", t.at("title")},
                  {"description", t.at("description")},
                  {"inputSchema", t.at("input_schema")},
                  {"annotations", {{"title", t.at("title")},
                                   {"readOnlyHint", hints.at("read_only")},
                                   {"destructiveHint", hints.at("destructive")},
                                   {"idempotentHint", hints.at("idempotent")},
                                   {"openWorldHint", false}}}};
  // MCP's structured output must be an object; other outputs are text only.
  tool.structured = is_object_schema(t.at("output_schema"));
  if (tool.structured) tool.listing["outputSchema"] = t.at("output_schema");
  return tool;
}

}  // namespace

void ToolCatalog::build(sdk::Context& ctx, const std::string& prefix) {
  // A caller holding every scope of the catalog sees every tool.
  sdk::Principal everything;
  everything.scopes = ctx.identity().scopes();
  std::sort(everything.scopes.begin(), everything.scopes.end());
  tools_.clear();
  for (auto& t : ctx.operations().tools(everything)) tools_.push_back(make_tool(t.as_object(), prefix));
  std::sort(tools_.begin(), tools_.end(), [](const Tool& a, const Tool& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < tools_.size(); ++i)
    if (tools_[i].name == tools_[i - 1].name)
      throw std::runtime_error("operations " + tools_[i - 1].id + " and " + tools_[i].id + " are both the tool " +
                               tools_[i].name);
}

const Tool* ToolCatalog::find(std::string_view name) const {
  auto it = std::lower_bound(tools_.begin(), tools_.end(), name, [](const Tool& t, std::string_view n) { return t.name < n; });
  return it != tools_.end() && it->name == name ? &*it : nullptr;
}

bool ToolCatalog::page(const sdk::Principal& caller, std::string_view cursor, int size, json::object& result) const {
  auto it = tools_.begin();
  if (!cursor.empty()) {
    if (!find(cursor)) return false;
    it = std::upper_bound(tools_.begin(), tools_.end(), cursor, [](std::string_view n, const Tool& t) { return n < t.name; });
  }
  json::array listed;
  for (; it != tools_.end(); ++it) {
    if (!it->scope.empty() && !caller.has_scope(it->scope)) continue;
    if (static_cast<int>(listed.size()) == size) break;
    listed.push_back(it->listing);
  }
  result["tools"] = std::move(listed);
  // More remain only if a later tool is one the caller sees.
  bool more = std::any_of(it, tools_.end(), [&](const Tool& t) { return t.scope.empty() || caller.has_scope(t.scope); });
  if (more) result["nextCursor"] = result["tools"].as_array().back().as_object().at("name");
  return true;
}

json::object call_result(const sdk::Response& answer, bool structured) {
  json::object result;
  bool ok = answer.status >= 200 && answer.status < 300;
  json::value body;
  if (!answer.body.empty() && answer.content_type.rfind("application/json", 0) == 0) {
    boost::system::error_code ec;
    body = json::parse(answer.body, ec);
    if (ec) body = nullptr;
  }
  std::string text = answer.body.empty() ? "done (HTTP " + std::to_string(answer.status) + ", no content)" : answer.body;
  if (!ok) {
    // One line a model reads first, then the error envelope as sent over REST.
    std::string line = "HTTP " + std::to_string(answer.status);
    if (auto* err = body.is_object() ? body.as_object().if_contains("error") : nullptr; err && err->is_object()) {
      auto& e = err->as_object();
      if (auto* code = e.if_contains("code"); code && code->is_string()) line += " " + std::string(code->as_string());
      if (auto* msg = e.if_contains("message"); msg && msg->is_string()) line += ": " + std::string(msg->as_string());
      if (auto* details = e.if_contains("details"); details && details->is_object())
        if (auto* scope = details->as_object().if_contains("missing_scope"); scope && scope->is_string())
          line += " (missing_scope: " + std::string(scope->as_string()) + ")";
    }
    text = line + "\n" + text;
    result["isError"] = true;
  }
  result["content"] = json::array{json::object{{"type", "text"}, {"text", text}}};
  if (ok && structured && body.is_object()) result["structuredContent"] = std::move(body);
  return result;
}

std::string call_result_text(const sdk::Response& answer, bool structured) {
  bool ok = answer.status >= 200 && answer.status < 300;
  if (!ok || !structured || answer.content_type.rfind("application/json", 0) != 0)
    return json::serialize(call_result(answer, structured));
  // A plugin's body is spliced only once it parses as one JSON object, so it
  // cannot break or add to the envelope. (Parsed into a stack buffer: cheap.)
  unsigned char buffer[8192];
  json::monotonic_resource scratch(buffer);
  boost::system::error_code ec;
  if (auto parsed = json::parse(answer.body, ec, &scratch); ec || !parsed.is_object())
    return json::serialize(call_result(answer, structured));
  std::string out;
  out.reserve(answer.body.size() * 2 + 64);
  out += R"({"content":[{"type":"text","text":)";
  out += json::serialize(json::string_view(answer.body));
  out += R"(}],"structuredContent":)";
  out += answer.body;
  out += '}';
  return out;
}

}  // namespace mcp
