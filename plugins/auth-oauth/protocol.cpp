#include "protocol.hpp"

#include <boost/url.hpp>

#include <sstream>

namespace sdk = ambit::sdk;

namespace oauth {

namespace {

/// Adds a parameter; false when it repeats one that may not repeat.
bool add_param(Form& form, std::string key, std::string value, bool resource_may_repeat) {
  if (key == "resource" && ++form.resources > 1) return resource_may_repeat;
  return form.emplace(std::move(key), std::move(value)).second;
}

}  // namespace

std::optional<Form> parse_form(std::string_view body, bool resource_may_repeat) {
  Form form;
  if (body.empty()) return form;
  // Form encoding writes a space as '+' (a literal '+' arrives as %2B).
  std::string spaced;
  for (char c : body) spaced += c == '+' ? std::string("%20") : std::string(1, c);
  auto encoded = boost::urls::parse_query(spaced);
  if (!encoded) return std::nullopt;
  try {
    for (auto p : *encoded) {
      std::string key = p.key.decode();
      if (key.empty()) continue;
      if (!add_param(form, std::move(key), p.has_value ? p.value.decode() : std::string(), resource_may_repeat))
        return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return form;
}

std::optional<Form> query_form(const sdk::Request& req, bool resource_may_repeat) {
  Form form;
  for (auto& [k, v] : req.query_params)
    if (!add_param(form, k, v, resource_may_repeat)) return std::nullopt;
  return form;
}

std::string form_value(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

sdk::Response oauth_error(int status, const std::string& code, const std::string& description) {
  return no_store_json(boost::json::object{{"error", code}, {"error_description", description}}, status);
}

sdk::Response no_store_json(const boost::json::value& body, int status) {
  return sdk::Response::json(body, status).with_header("Cache-Control", "no-store").with_header("Pragma", "no-cache");
}

sdk::Response redirect(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params) {
  boost::urls::url u(uri);
  for (auto& [k, v] : params) u.params().append({k, v});
  sdk::Response r = sdk::Response::empty(302);
  return r.with_header("Location", std::string(u.buffer())).with_header("Cache-Control", "no-store");
}

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  std::istringstream words{std::string(scope)};
  for (std::string s; words >> s;)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

std::string join_scope(const std::vector<std::string>& scopes) {
  std::string out;
  for (auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

}  // namespace oauth
