#include "operations/operation_input.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <charconv>

#include "ambit/sdk/error.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

[[noreturn]] void invalid(const std::vector<SchemaViolation>& problems, const std::string& prefix = {}) {
  json::array list;
  for (auto& p : problems) list.push_back({{"field", prefix + p.field}, {"message", p.message}});
  const auto& first = problems.front();
  std::string field = prefix + first.field;
  json::object details{{"errors", std::move(list)}};
  if (!field.empty()) details["field"] = field;
  throw sdk::ApiError(400, "INVALID_INPUT", (field.empty() ? "request body" : field) + " " + first.message,
                      std::move(details));
}

/// A query value as the type its schema names (integer, number, boolean);
/// text that does not convert stays text, and the schema check reports it.
json::value typed_query_value(const std::string& text, const json::value* schema) {
  const json::value* type = nullptr;
  if (schema && schema->is_object()) type = schema->as_object().if_contains("type");
  if (!type || !type->is_string()) return json::string(text);
  const auto& t = type->as_string();
  if (t == "integer") {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return n;
  } else if (t == "number") {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_number()) return v;
  } else if (t == "boolean") {
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return json::string(text);
}

void check(const CompiledSchema& schema, const json::value& doc, const std::string& prefix = {}) {
  auto problems = schema.check(doc);
  if (!problems.empty()) invalid(problems, prefix);
}

std::string argument_text(const std::string& name, const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number() || v.is_bool()) return json::serialize(v);
  throw sdk::ApiError(400, "INVALID_INPUT", name + " must be a string, number or boolean", {{"field", name}});
}

}  // namespace

void check_input(const DeclaredOperation& op, const sdk::Request& req) {
  if (!op.params_schema.at("required").as_array().empty()) {
    json::object params;
    for (auto& [k, v] : req.path_params) params[k] = v;
    check(op.params, params);
  }
  if (op.query) {
    const auto* props = op.decl.query.as_object().at("properties").if_object();
    json::object query;
    for (auto& [k, v] : req.query_params) {
      if (query.contains(k)) continue;  // the first value wins, as Request::query reads it
      query[k] = typed_query_value(v, props ? props->if_contains(k) : nullptr);
    }
    check(*op.query, query);
  }
  if (op.body) {
    boost::system::error_code ec;
    json::value body = json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), ec);
    if (ec) throw sdk::ApiError(400, "INVALID_INPUT", "request body is not valid JSON");
    check(*op.body, body);
  }
}

sdk::Request request_from_arguments(const RouteEntry& route, const json::object& arguments) {
  const DeclaredOperation& op = *route.operation;
  const auto& inputs = op.input_schema.at("properties").as_object();
  sdk::Request req;
  req.method = route.spec.method;
  req.route = route.spec.path;
  json::object body;
  for (auto& [name, value] : arguments) {
    std::string key(name);
    if (!inputs.contains(name))
      throw sdk::ApiError(400, "INVALID_INPUT", key + " is not an input of " + op.decl.id, {{"field", key}});
    if (std::find(route.param_names.begin(), route.param_names.end(), key) != route.param_names.end()) {
      req.path_params.emplace_back(key, argument_text(key, value));
    } else if (op.query_names.count(key)) {
      req.query_params.emplace_back(key, argument_text(key, value));
    } else if (op.body_is_object) {
      body[name] = value;
    } else {
      req.body = json::serialize(value);  // the one input "body"
    }
  }
  if (op.body_is_object && (!body.empty() || op.body)) req.body = json::serialize(body);
  // The path and target as the HTTP client would have sent them.
  const std::string& tpl = route.spec.path;
  for (std::size_t i = 0; i < tpl.size();) {
    if (tpl[i] == ':') {
      auto end = tpl.find('/', i);
      if (end == std::string::npos) end = tpl.size();
      std::string name = tpl.substr(i + 1, end - i - 1);
      for (auto& [k, v] : req.path_params)
        if (k == name) {
          req.path += v;
          req.target += boost::urls::encode(v, boost::urls::pchars);
        }
      i = end;
    } else {
      req.path += tpl[i];
      req.target += tpl[i++];
    }
  }
  char sep = '?';
  for (auto& [k, v] : req.query_params) {
    req.target += sep + boost::urls::encode(k, boost::urls::pchars) + "=" + boost::urls::encode(v, boost::urls::pchars);
    sep = '&';
  }
  return req;
}

}  // namespace ambit::kernel
