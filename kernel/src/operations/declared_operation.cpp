#include "operations/declared_operation.hpp"

#include <map>
#include <regex>
#include <stdexcept>

namespace json = boost::json;

namespace ambit::kernel {
namespace {

[[noreturn]] void refuse(const sdk::Operation& op, const RouteEntry& route, const std::string& problem) {
  throw std::invalid_argument("operation \"" + op.id + "\" (" + route.spec.method + " " + route.spec.path + ", " +
                              route.owner + "): " + problem);
}

const json::object* properties_of(const json::object& schema) {
  auto* p = schema.if_contains("properties");
  return p ? p->if_object() : nullptr;
}
const json::object* properties_of(const json::value& schema) {
  return schema.is_object() ? properties_of(schema.as_object()) : nullptr;
}

/// The path parameters' schema: the declared one, with every :name of the
/// template present, typed string and required.
json::object complete_params(const sdk::Operation& op, const RouteEntry& route) {
  json::object schema = op.params.is_null() ? json::object{{"type", "object"}} : op.params.as_object();
  json::object props;
  if (auto* p = properties_of(op.params)) props = *p;
  for (auto& [name, _] : props)
    if (std::find(route.param_names.begin(), route.param_names.end(), name) == route.param_names.end())
      refuse(op, route, "params declares \"" + std::string(name) + "\", which is not a :name of the path");
  json::array required;
  for (auto& name : route.param_names) {
    auto& p = props[name];
    if (p.is_null()) p = json::object{{"type", "string"}};
    if (!p.is_object()) refuse(op, route, "params." + name + " is not a schema");
    auto& o = p.as_object();
    if (auto* t = o.if_contains("type"); t && *t != json::value("string"))
      refuse(op, route, "params." + name + " must be typed string (path segments are text)");
    o["type"] = "string";
    if (!o.contains("minLength")) o["minLength"] = 1;
    required.push_back(json::string(name));
  }
  schema["type"] = "object";
  schema["properties"] = std::move(props);
  schema["required"] = std::move(required);
  return schema;
}

CompiledSchema compile(const sdk::Operation& op, const RouteEntry& route, const char* what, const json::value& s) {
  try {
    return CompiledSchema(s);
  } catch (const std::invalid_argument& e) {
    refuse(op, route, std::string(what) + ": " + e.what());
  }
}

void merge_inputs(DeclaredOperation& d, const RouteEntry& route, const json::object& from, bool query) {
  auto* props = properties_of(from);
  if (!props) return;
  auto& into = d.input_schema["properties"].as_object();
  for (auto& [name, schema] : *props) {
    if (into.contains(name))
      refuse(d.decl, route, "input \"" + std::string(name) + "\" is declared twice (path, query, body)");
    into[name] = schema;
    if (query) d.query_names.emplace(name);
  }
  if (auto* req = from.if_contains("required"); req && req->is_array())
    for (auto& r : req->as_array()) d.input_schema["required"].as_array().push_back(r);
}

}  // namespace

void add_operation(Router& router, sdk::RouteSpec spec, sdk::Operation op, std::string owner) {
  static const std::regex id_form("[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*");
  RouteEntry& route = router.add(std::move(spec), std::move(owner));
  if (!std::regex_match(op.id, id_form)) refuse(op, route, "the id must look like <resource>.<action>");
  if (op.title.empty() || op.description.empty()) refuse(op, route, "a title and a description are required");
  if (op.statuses.empty()) refuse(op, route, "no success status");
  for (int s : op.statuses)
    if (s < 200 || s > 299) refuse(op, route, "success status " + std::to_string(s) + " is not 2xx");
  bool no_content = op.statuses.front() == 204;
  if (op.output.is_null() != no_content) refuse(op, route, "an output schema is required unless the status is 204");
  for (auto& e : op.errors)
    if (e.status < 400 || e.status > 599 || e.code.empty()) refuse(op, route, "error \"" + e.code + "\" needs a 4xx/5xx status and a code");
  if (!op.query.is_null() && !properties_of(op.query)) refuse(op, route, "query must be an object schema with properties");
  if (op.body_media_type != "application/json" && !op.handler_validates)
    refuse(op, route, "only JSON bodies are validated by the kernel; set handler_validates");

  json::object params = complete_params(op, route);
  auto d = std::make_shared<DeclaredOperation>(DeclaredOperation{
      op, compile(op, route, "params", params), std::nullopt, std::nullopt, params, {}, {}, false});
  if (!op.query.is_null()) d->query.emplace(compile(op, route, "query", op.query));
  if (!op.output.is_null()) compile(op, route, "output", op.output);  // checked, used by clients
  if (!op.body.is_null()) {
    auto body = compile(op, route, "body", op.body);
    if (!op.handler_validates) d->body.emplace(std::move(body));
  }

  d->input_schema = {{"type", "object"}, {"properties", json::object{}}, {"required", json::array{}},
                     {"additionalProperties", false}};
  merge_inputs(*d, route, params, false);
  if (!op.query.is_null()) merge_inputs(*d, route, op.query.as_object(), true);
  if (!op.body.is_null()) {
    auto* body = op.body.if_object();
    d->body_is_object = body && properties_of(op.body) && body->contains("type") && body->at("type") == "object";
    if (d->body_is_object) {
      merge_inputs(*d, route, *body, false);
    } else {
      merge_inputs(*d, route, json::object{{"properties", {{"body", op.body}}}, {"required", {"body"}}}, false);
    }
  }
  router.index_operation(op.id, route);
  route.operation = std::move(d);
}

void add_completion(Router& router, sdk::Completion c, const std::string& owner) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("completion of operation \"" + c.operation + "\": " + why);
  };
  const RouteEntry* op = router.find_operation(c.operation);
  if (!op) fail("no such operation (declare it first)");
  if (op->owner != owner) fail("declared by " + op->owner + ", not " + owner);
  const RouteEntry* poll = router.find_operation(c.poll);
  if (!poll || !is_tool(*poll) || !poll->operation->decl.read_only) fail("poll \"" + c.poll + "\" is no read-only tool");
  for (auto& [name, pointer] : c.arguments) {
    if (pointer.rfind("/input", 0) != 0 && pointer.rfind("/output", 0) != 0)
      fail("argument " + name + " must point into /input or /output");
    if (!poll->operation->input_schema.at("properties").as_object().contains(name))
      fail(c.poll + " takes no argument " + name);
  }
  if (c.status.empty() || c.status.front() != '/') fail("status must be a JSON Pointer");
  if (c.pending.empty()) fail("pending lists no status");
  router.add_completion(std::move(c));
}

namespace {

struct CliShape {
  std::string words;
  std::vector<std::string> positional;
};

/// The declared shape, or the default: words from the id, path parameters
/// but projectId (a flag with a per-profile default) as arguments.
CliShape cli_shape(const Router& router, const RouteEntry& route) {
  const auto& id = route.operation->decl.id;
  const sdk::CliCommand* declared = router.find_cli_command(id);
  CliShape shape;
  if (declared && !declared->words.empty()) {
    shape.words = declared->words;
  } else {
    shape.words = id;
    for (char& c : shape.words) c = c == '_' ? '-' : c == '.' ? ' ' : c;
  }
  if (declared && !declared->positional.empty()) {
    shape.positional = declared->positional;
  } else {
    for (auto& name : route.param_names)
      if (name != "projectId") shape.positional.push_back(name);
  }
  return shape;
}

}  // namespace

void add_cli_command(Router& router, sdk::CliCommand c, const std::string& owner) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("command of operation \"" + c.operation + "\": " + why);
  };
  const RouteEntry* op = router.find_operation(c.operation);
  if (!op || !is_tool(*op)) fail("no such tool (declare the operation first)");
  if (op->owner != owner) fail("declared by " + op->owner + ", not " + owner);
  static const std::regex words("([a-z][a-z0-9-]*)( [a-z][a-z0-9-]*){0,3}");
  if (!c.words.empty() && !std::regex_match(c.words, words))
    fail("words must be 1 to 4 lower-case words separated by one space: \"" + c.words + "\"");
  const auto& inputs = op->operation->input_schema.at("properties").as_object();
  for (std::size_t i = 0; i < c.positional.size(); ++i) {
    if (!inputs.contains(c.positional[i])) fail(c.operation + " takes no input " + c.positional[i]);
    if (std::find(c.positional.begin(), c.positional.begin() + static_cast<std::ptrdiff_t>(i), c.positional[i]) !=
        c.positional.begin() + static_cast<std::ptrdiff_t>(i))
      fail("positional names " + c.positional[i] + " twice");
  }
  router.add_cli_command(std::move(c));
}

void add_completion_failure(Router& router, sdk::CompletionFailure f, const std::string& owner) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("completion failure of operation \"" + f.operation + "\": " + why);
  };
  const RouteEntry* op = router.find_operation(f.operation);
  if (!op || !router.find_completion(f.operation)) fail("no completion declared for it (declare that first)");
  if (op->owner != owner) fail("declared by " + op->owner + ", not " + owner);
  if (f.statuses.empty()) fail("statuses lists no status");
  if (f.reason.empty() || f.reason.front() != '/') fail("reason must be a JSON Pointer");
  router.add_completion_failure(std::move(f));
}

void check_cli_commands(const Router& router, std::vector<std::string>& problems) {
  std::map<std::string, std::string> by_words;  // "secrets set" -> "secrets.set"
  for (auto& route : router.routes())
    if (is_tool(*route)) {
      auto [it, inserted] = by_words.emplace(cli_shape(router, *route).words, route->operation->decl.id);
      if (!inserted)
        problems.push_back("operations " + it->second + " and " + route->operation->decl.id + " are both the command \"" +
                           it->first + "\" (declare other words with Context::add_cli_command)");
    }
  // Sorted, a command that starts another ("projects keys" and "projects keys create") comes right before it.
  for (auto it = by_words.begin(); it != by_words.end(); ++it) {
    auto next = std::next(it);
    if (next != by_words.end() && next->first.rfind(it->first + " ", 0) == 0)
      problems.push_back("the command \"" + it->first + "\" (" + it->second + ") is also the start of \"" +
                         next->first + "\" (" + next->second + ")");
  }
}

bool is_tool(const RouteEntry& route) {
  return route.operation && !route.operation->decl.handler_validates && route.spec.auth != sdk::AuthMode::none &&
         route.operation->decl.output_media_type == "application/json";
}

json::object tool_json(const Router& router, const RouteEntry& route) {
  const auto& op = route.operation->decl;
  CliShape shape = cli_shape(router, route);
  json::array positional;
  for (auto& p : shape.positional) positional.push_back(json::string(p));
  json::object tool{{"id", op.id},
          {"title", op.title},
          {"description", op.description},
          {"scope", route.spec.scope.empty() ? json::value(nullptr) : json::value(route.spec.scope)},
          {"input_schema", route.operation->input_schema},
          {"output_schema", op.output},
          {"hints", {{"read_only", op.read_only}, {"destructive", op.destructive}, {"idempotent", op.idempotent}}},
          {"method", route.spec.method},
          {"path", route.spec.path},
          {"query", [&] {
             json::array names;
             for (auto& n : route.operation->query_names) names.push_back(json::string(n));
             return names;
           }()},
          {"plugin", route.owner},
          {"cli", {{"command", shape.words}, {"positional", std::move(positional)}}}};
  if (const sdk::Completion* c = router.find_completion(op.id)) {
    json::object arguments;
    for (auto& [name, pointer] : c->arguments) arguments[name] = pointer;
    json::array pending, failed;
    for (auto& p : c->pending) pending.push_back(json::string(p));
    json::object completion{{"poll", c->poll}, {"arguments", std::move(arguments)}, {"status", c->status},
                            {"pending", std::move(pending)}};
    if (const sdk::CompletionFailure* f = router.find_completion_failure(op.id)) {
      for (auto& s : f->statuses) failed.push_back(json::string(s));
      completion["failed"] = std::move(failed);
      completion["reason"] = f->reason;
    }
    tool["completion"] = std::move(completion);
  }
  return tool;
}

}  // namespace ambit::kernel
