#include "ops/openapi.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "ambit/sdk/version.hpp"
#include "operations/declared_operation.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

std::string openapi_path(const std::string& path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == ':' && (i == 0 || path[i - 1] == '/')) {
      auto end = path.find('/', i);
      if (end == std::string::npos) end = path.size();
      out += "{" + path.substr(i + 1, end - i - 1) + "}";
      i = end;
    } else {
      out += path[i++];
    }
  }
  return out;
}

json::value error_envelope() { return {{"$ref", "#/components/schemas/Error"}}; }

json::object error_component() {
  return json::parse(R"({"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
      "code": {"type": "string", "description": "stable, for programs: INVALID_INPUT, NOT_FOUND, ..."},
      "message": {"type": "string", "description": "for people"},
      "details": {"type": "object", "description": "field (the offending input, e.g. tags[0].key), limits, retry_after"}}}}})")
      .as_object();
}

/// A schema without its description, which OpenAPI keeps on the parameter.
json::value without_description(json::value schema) {
  if (auto* o = schema.if_object()) o->erase("description");
  return schema;
}

void add_parameters(json::array& out, const json::value& schema, const char* in, bool all_required) {
  auto* o = schema.if_object();
  auto* props = o ? o->if_contains("properties") : nullptr;
  if (!props || !props->is_object()) return;
  std::set<std::string> required;
  if (auto* r = o->if_contains("required"); r && r->is_array())
    for (auto& n : r->as_array()) required.insert(std::string(n.as_string()));
  for (auto& [name, prop] : props->as_object()) {
    json::object p{{"name", name}, {"in", in}, {"required", all_required || required.count(std::string(name)) > 0},
                   {"schema", without_description(prop)}};
    if (auto* d = prop.is_object() ? prop.as_object().if_contains("description") : nullptr) p["description"] = *d;
    out.push_back(std::move(p));
  }
}

/// The error responses: the operation's own, and the kernel's where they apply.
json::object error_responses(const RouteEntry& r) {
  std::map<int, std::vector<std::pair<std::string, std::string>>> by_status;
  const auto& op = r.operation->decl;
  bool has_input = !r.param_names.empty() || !op.query.is_null() || !op.body.is_null();
  if (has_input && !op.handler_validates)
    by_status[400].emplace_back("INVALID_INPUT", "an input breaks its schema (details.field names it)");
  if (r.spec.auth == sdk::AuthMode::required) by_status[401].emplace_back("unauthenticated", "no valid credential");
  if (!r.spec.scope.empty()) by_status[403].emplace_back("forbidden", "the credential lacks " + r.spec.scope);
  for (auto& e : op.errors) by_status[e.status].emplace_back(e.code, e.when);
  json::object out;
  for (auto& [status, cases] : by_status) {
    std::string text;
    json::array codes;
    for (auto& [code, when] : cases) {
      text += (text.empty() ? "" : "; ") + code + (when.empty() ? "" : ": " + when);
      codes.push_back(json::string(code));
    }
    json::object content{{"schema", error_envelope()}};
    if (op.handler_validates) content["schema"] = json::object{{"type", "object"}};  // the protocol's own format
    out[std::to_string(status)] = {{"description", text}, {"content", {{"application/json", content}}}};
  }
  return out;
}

json::object declared(const RouteEntry& r) {
  const auto& d = *r.operation;
  const auto& op = d.decl;
  json::object out{{"operationId", op.id}, {"summary", op.title}, {"description", op.description}};
  json::array params;
  add_parameters(params, d.params_schema, "path", true);
  add_parameters(params, op.query, "query", false);
  if (!params.empty()) out["parameters"] = std::move(params);
  if (!op.body.is_null()) {
    json::object media{{"schema", op.body}};
    if (auto* ex = op.examples.is_object() ? op.examples.as_object().if_contains("body") : nullptr) media["example"] = *ex;
    bool required = op.body.is_object() && op.body.as_object().contains("required");
    out["requestBody"] = {{"required", required}, {"content", {{op.body_media_type, media}}}};
  }
  json::object responses;
  for (int status : op.statuses) {
    json::object ok{{"description", op.title}};
    if (!op.output.is_null()) {
      json::object media{{"schema", op.output}};
      if (auto* ex = op.examples.is_object() ? op.examples.as_object().if_contains("output") : nullptr)
        media["example"] = *ex;
      ok["content"] = {{op.output_media_type, media}};
    }
    responses[std::to_string(status)] = std::move(ok);
  }
  for (auto& [status, response] : error_responses(r)) responses[status] = response;
  out["responses"] = std::move(responses);
  out["x-ambit-hints"] = {{"read_only", op.read_only}, {"destructive", op.destructive}, {"idempotent", op.idempotent}};
  return out;
}

/// A route registered without an operation (a plugin built on SDK < 1.4).
json::object undeclared(const RouteEntry& r) {
  const auto& s = r.spec;
  json::object op;
  if (!s.summary.empty()) op["summary"] = s.summary;
  if (!s.description.empty()) op["description"] = s.description;
  std::string op_id = s.method + openapi_path(s.path);
  std::replace_if(op_id.begin(), op_id.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  op["operationId"] = op_id;
  json::array params;
  for (auto& name : r.param_names)
    params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  if (!params.empty()) op["parameters"] = params;
  if (!s.request_schema.is_null())
    op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", s.request_schema}}}}}};
  json::object responses;
  json::object ok{{"description", "success"}};
  if (!s.response_schema.is_null()) ok["content"] = {{"application/json", {{"schema", s.response_schema}}}};
  responses[s.method == "POST" ? "201" : "200"] = ok;
  responses["default"] = {{"description", "error"}, {"content", {{"application/json", {{"schema", error_envelope()}}}}}};
  op["responses"] = responses;
  return op;
}

}  // namespace

json::object build_openapi(const Router& router, const std::string& public_url,
                           const std::map<std::string, std::string>& scopes) {
  json::object paths;
  for (auto& r : router.routes()) {
    const auto& s = r->spec;
    json::object op = r->operation ? declared(*r) : undeclared(*r);
    json::array tags;
    for (auto& t : s.tags) tags.push_back(json::string(t));
    if (tags.empty()) tags.push_back(json::string(r->owner));
    op["tags"] = tags;
    if (s.auth != sdk::AuthMode::none) {
      json::array scope_list;
      if (!s.scope.empty()) scope_list.push_back(json::string(s.scope));
      json::array security{json::object{{"bearer", scope_list}}, json::object{{"apiKey", scope_list}}};
      if (s.auth == sdk::AuthMode::optional) security.push_back(json::object{});
      op["security"] = security;
      if (!s.scope.empty()) op["x-ambit-scope"] = s.scope;
    } else {
      op["security"] = json::array{};
    }
    op["x-ambit-plugin"] = r->owner;
    std::string method = s.method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    auto& path_item = paths[openapi_path(s.path)];
    if (!path_item.is_object()) path_item = json::object{};
    path_item.as_object()[method] = op;
  }
  json::object scope_doc;
  for (auto& [name, description] : scopes) scope_doc[name] = description;
  json::object doc{
      {"openapi", "3.1.0"},
      {"info", {{"title", "ambit"}, {"version", std::to_string(AMBIT_SDK_VERSION_MAJOR) + "." +
                                                    std::to_string(AMBIT_SDK_VERSION_MINOR) + "." +
                                                    std::to_string(AMBIT_SDK_VERSION_PATCH)}}},
      {"servers", json::array{json::object{{"url", public_url}}}},
      {"paths", paths},
      {"components",
       {{"schemas", {{"Error", error_component()}}},
        {"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}}}},
      {"x-ambit-scopes", scope_doc}};
  return doc;
}

}  // namespace ambit::kernel
