#include "ops/openapi.hpp"

#include <algorithm>
#include <cctype>

#include "ambit/sdk/version.hpp"

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

json::object error_schema() {
  return json::parse(R"({"type":"object","properties":{"error":{"type":"object","properties":{
    "code":{"type":"string"},"message":{"type":"string"},"details":{"type":"object"}}}}})").as_object();
}

}  // namespace

json::object build_openapi(const Router& router, const std::string& public_url,
                           const std::map<std::string, std::string>& scopes) {
  json::object paths;
  for (auto& r : router.routes()) {
    const auto& s = r->spec;
    json::object op;
    if (!s.summary.empty()) op["summary"] = s.summary;
    if (!s.description.empty()) op["description"] = s.description;
    json::array tags;
    for (auto& t : s.tags) tags.push_back(json::string(t));
    if (tags.empty()) tags.push_back(json::string(r->owner));
    op["tags"] = tags;
    std::string op_id = s.method + openapi_path(s.path);
    std::replace_if(op_id.begin(), op_id.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    op["operationId"] = op_id;
    json::array params;
    for (auto& name : r->param_names)
      params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    if (!params.empty()) op["parameters"] = params;
    if (!s.request_schema.is_null())
      op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", s.request_schema}}}}}};
    json::object responses;
    json::object ok{{"description", "success"}};
    if (!s.response_schema.is_null()) ok["content"] = {{"application/json", {{"schema", s.response_schema}}}};
    responses[s.method == "POST" ? "201" : "200"] = ok;
    responses["default"] = {{"description", "error"}, {"content", {{"application/json", {{"schema", error_schema()}}}}}};
    op["responses"] = responses;
    if (s.auth != sdk::AuthMode::none) {
      json::array scope_list;
      if (!s.scope.empty()) scope_list.push_back(json::string(s.scope));
      json::array security{json::object{{"bearer", scope_list}}, json::object{{"apiKey", scope_list}}};
      if (s.auth == sdk::AuthMode::optional) security.push_back(json::object{});
      op["security"] = security;
      if (!s.scope.empty()) op["x-ambit-scope"] = s.scope;
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
       {{"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}}}}},
      {"x-ambit-scopes", scope_doc}};
  return doc;
}

}  // namespace ambit::kernel
