#include "tool_request.hpp"

#include <boost/url.hpp>

#include <set>

#include "exit_codes.hpp"

namespace json = boost::json;

namespace ambit::cli {
namespace {

/// A query or path value as text: strings as they are, anything else as JSON.
std::string as_text(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

}  // namespace

HttpResponse call_tool(Session& session, const json::object& tool, const json::object& arguments) {
  std::string method(tool.at("method").as_string());
  std::string path_template(tool.at("path").as_string());
  std::set<std::string> query_names;
  if (auto* q = tool.if_contains("query"); q && q->is_array())
    for (auto& n : q->as_array()) query_names.emplace(n.as_string());

  std::set<std::string> used;
  std::string path;
  for (std::size_t i = 0; i < path_template.size();) {
    std::size_t end = path_template.find('/', i + 1);
    if (end == std::string::npos) end = path_template.size();
    std::string segment = path_template.substr(i, end - i);  // "/name" or "/:name"
    if (segment.size() > 1 && segment[1] == ':') {
      std::string name = segment.substr(2);
      auto* v = arguments.if_contains(name);
      if (!v || v->is_null()) throw CliError(kUsage, "missing " + name);
      path += "/" + encode_path_segment(as_text(*v));
      used.insert(name);
    } else {
      path += segment;
    }
    i = end;
  }
  boost::urls::url query("http://x/");
  json::object body;
  for (auto& [name, value] : arguments) {
    std::string key(name);
    if (used.count(key)) continue;
    if (query_names.count(key)) {
      if (!value.is_null()) query.params().append({key, as_text(value)});
    } else {
      body[key] = value;
    }
  }
  std::string target = path;
  if (!query.encoded_query().empty()) target += "?" + std::string(query.encoded_query());
  return session.call(method, target, body.empty() ? std::string() : json::serialize(body));
}

}  // namespace ambit::cli
