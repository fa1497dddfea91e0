#include "http/router.hpp"

#include <regex>
#include <stdexcept>

namespace ambit::kernel {
namespace {

std::vector<std::string> split_template(const std::string& path) {
  if (path.empty() || path.front() != '/') throw std::invalid_argument("route path \"" + path + "\" must start with /");
  std::vector<std::string> out;
  if (path == "/") return out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string seg = path.substr(start, end - start);
    if (seg.empty()) throw std::invalid_argument("route path \"" + path + "\" has an empty segment");
    out.push_back(seg);
    start = end + 1;
  }
  return out;
}

}  // namespace

RouteEntry& Router::add(sdk::RouteSpec spec, std::string owner) {
  static const std::regex method_re("[A-Z]+");
  static const std::regex param_re(":[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(spec.method, method_re))
    throw std::invalid_argument("route method \"" + spec.method + "\" must be an upper-case HTTP method");
  if (!spec.handler) throw std::invalid_argument("route " + spec.method + " " + spec.path + " has no handler");
  auto entry = std::make_unique<RouteEntry>();
  Node* node = &root_;
  for (auto& seg : split_template(spec.path)) {
    if (seg.front() == ':') {
      if (!std::regex_match(seg, param_re))
        throw std::invalid_argument("route path \"" + spec.path + "\": bad parameter \"" + seg + "\"");
      std::string name = seg.substr(1);
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::invalid_argument("route path \"" + spec.path + "\": parameter :" + name +
                                    " conflicts with :" + node->param_name + " at the same position");
      }
      entry->param_names.push_back(name);
      node = node->param.get();
    } else {
      auto& child = node->literals[seg];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  if (auto it = node->methods.find(spec.method); it != node->methods.end())
    throw std::invalid_argument("duplicate route " + spec.method + " " + spec.path + " (registered by " + owner +
                                ", already registered by " + it->second->owner + ")");
  entry->owner = std::move(owner);
  entry->spec = std::move(spec);
  node->methods[entry->spec.method] = entry.get();
  routes_.push_back(std::move(entry));
  return *routes_.back();
}

void Router::index_operation(const std::string& id, RouteEntry& route) {
  auto [it, inserted] = operations_.emplace(id, &route);
  if (!inserted)
    throw std::invalid_argument("operation \"" + id + "\" is declared by " + it->second->owner + " (" +
                                it->second->spec.method + " " + it->second->spec.path + ") and " + route.owner + " (" +
                                route.spec.method + " " + route.spec.path + ")");
}

const RouteEntry* Router::find_operation(std::string_view id) const {
  auto it = operations_.find(id);
  return it == operations_.end() ? nullptr : it->second;
}

namespace {

/// Keep `decl`, declared about operation `decl.operation`, once per operation.
template <class Decl>
void keep_once(std::map<std::string, Decl, std::less<>>& declared, Decl decl, const char* what) {
  std::string id = decl.operation;
  if (!declared.emplace(id, std::move(decl)).second)
    throw std::invalid_argument("operation " + id + " declares its " + what + " twice");
}

template <class Decl>
const Decl* declared_for(const std::map<std::string, Decl, std::less<>>& declared, std::string_view id) {
  auto it = declared.find(id);
  return it == declared.end() ? nullptr : &it->second;
}

}  // namespace

void Router::add_completion(sdk::Completion completion) { keep_once(completions_, std::move(completion), "completion"); }

const sdk::Completion* Router::find_completion(std::string_view id) const { return declared_for(completions_, id); }

void Router::add_cli_command(sdk::CliCommand command) { keep_once(cli_commands_, std::move(command), "command"); }

const sdk::CliCommand* Router::find_cli_command(std::string_view id) const { return declared_for(cli_commands_, id); }

void Router::add_completion_failure(sdk::CompletionFailure failure) {
  keep_once(completion_failures_, std::move(failure), "completion's failure");
}

const sdk::CompletionFailure* Router::find_completion_failure(std::string_view id) const {
  return declared_for(completion_failures_, id);
}

const Router::Node* Router::find(const Node& node, const std::vector<std::string>& segments, std::size_t i,
                                 std::string_view method, std::vector<std::string_view>& values,
                                 const Node*& path_only) const {
  if (i == segments.size()) {
    if (node.methods.empty()) return nullptr;
    if (node.methods.count(method)) return &node;
    if (!path_only) path_only = &node;  // the path is served, not this method: 405 unless a :param route has it
    return nullptr;
  }
  if (auto it = node.literals.find(segments[i]); it != node.literals.end())
    if (auto* hit = find(*it->second, segments, i + 1, method, values, path_only)) return hit;
  if (node.param && !segments[i].empty()) {
    values.push_back(segments[i]);
    if (auto* hit = find(*node.param, segments, i + 1, method, values, path_only)) return hit;
    values.pop_back();
  }
  return nullptr;
}

void Router::allow_cross_origin(std::string_view path, const std::string& owner) {
  bool found = false;
  for (auto& route : routes_) {
    if (route->spec.path != path || route->owner != owner) continue;
    route->cross_origin = found = true;
  }
  if (!found) throw std::invalid_argument("allow_cross_origin: no route of " + owner + " at " + std::string(path));
}

Router::Match Router::match(std::string_view method, const std::vector<std::string>& segments) const {
  Match m;
  std::vector<std::string_view> values;
  const Node* path_only = nullptr;
  // A literal segment wins over a :param one, for the method asked: GET /config/versions is the
  // versions route, PATCH /config/versions the key "versions".
  const Node* node = find(root_, segments, 0, method, values, path_only);
  if (!node) {
    if (path_only) {
      m.outcome = Outcome::method_not_allowed;
      for (auto& [name, route] : path_only->methods) {
        m.allow += (m.allow.empty() ? "" : ", ") + name;
        m.cross_origin = m.cross_origin || route->cross_origin;
      }
    }
    return m;
  }
  m.outcome = Outcome::found;
  m.route = node->methods.find(method)->second;
  m.cross_origin = m.route->cross_origin;
  for (std::size_t i = 0; i < values.size(); ++i)
    m.params.emplace_back(m.route->param_names[i], std::string(values[i]));
  return m;
}

}  // namespace ambit::kernel
