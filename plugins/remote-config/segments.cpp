#include "segments.hpp"

#include <algorithm>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/time.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {
namespace {

bool is_semver_op(std::string_view op) { return op.rfind("semver_", 0) == 0; }

/// platform and country compare case-insensitively: normalize both sides alike.
std::string normalize(std::string_view attribute, std::string value) {
  if (attribute == "platform")
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  if (attribute == "country")
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::toupper(c); });
  return value;
}

/// A rule of the shape the operations' schema declares (a body the kernel
/// checked, or a stored rule): attribute, operator and the operand it needs.
Rule parse_rule(const json::object& o, const std::string& field) {
  Rule r;
  r.attribute = std::string(o.at("attribute").as_string());
  r.op = std::string(o.at("operator").as_string());
  if (r.op == "in" || r.op == "not_in") {
    for (auto& x : o.at("values").as_array()) r.values.push_back(normalize(r.attribute, std::string(x.as_string())));
  } else if (r.op != "exists") {
    r.values.push_back(normalize(r.attribute, std::string(o.at("value").as_string())));
    if (is_semver_op(r.op) && !(r.version = parse_semver(r.values[0])))
      throw sdk::ApiError::invalid_input(field + ".value must be a semantic version (e.g. 2.1.0)", field + ".value");
  }
  return r;
}

bool rule_matches(const Rule& r, const EvalContext& ctx) {
  auto actual = ctx.get(r.attribute);
  if (!actual) return false;
  if (r.op == "exists") return true;
  if (r.op == "eq") return *actual == r.values[0];
  if (r.op == "neq") return *actual != r.values[0];
  if (r.op == "in" || r.op == "not_in") {
    bool found = std::find(r.values.begin(), r.values.end(), *actual) != r.values.end();
    return r.op == "in" ? found : !found;
  }
  // semver_*: the context's version must parse too.
  std::optional<SemVer> parsed;
  const SemVer* v = nullptr;
  if (r.attribute == "app_version") {
    if (ctx.app_semver) v = &*ctx.app_semver;
  } else if ((parsed = parse_semver(*actual))) {
    v = &*parsed;
  }
  if (!v) return false;
  int c = compare(*v, *r.version);
  if (r.op == "semver_eq") return c == 0;
  if (r.op == "semver_gt") return c > 0;
  if (r.op == "semver_gte") return c >= 0;
  if (r.op == "semver_lt") return c < 0;
  return c <= 0;  // semver_lte
}

}  // namespace

std::optional<std::string_view> EvalContext::get(std::string_view attribute) const {
  auto present = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string_view>(s); };
  if (attribute == "platform") return present(platform);
  if (attribute == "app_version") return present(app_version);
  if (attribute == "country") return present(country);
  if (attribute == "user_id") return present(user_id);
  if (attribute.rfind("attr.", 0) == 0) {
    auto name = attribute.substr(5);
    for (auto& [k, v] : attributes)
      if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<Segment> system_segments() {
  auto platform = [](const char* p) { return std::vector<Rule>{Rule{"platform", "eq", {p}, std::nullopt}}; };
  return {Segment{"all_users", "every client", "all", {}, true, 0, 0},
          Segment{"ios", "clients reporting platform=ios", "all", platform("ios"), true, 0, 0},
          Segment{"android", "clients reporting platform=android", "all", platform("android"), true, 0, 0},
          Segment{"web", "clients reporting platform=web", "all", platform("web"), true, 0, 0}};
}

void apply_segment_body(Segment& s, const json::object& body) {
  if (auto* d = body.if_contains("description"))
    s.description = d->is_null() ? std::nullopt : std::optional<std::string>(std::string(d->as_string()));
  if (auto* m = body.if_contains("match")) s.match = std::string(m->as_string());
  if (auto* r = body.if_contains("rules")) s.rules = parse_rules(*r);
}

std::vector<Rule> parse_rules(const json::value& rules, const std::string& field) {
  std::vector<Rule> out;
  std::size_t i = 0;
  for (auto& r : rules.as_array()) out.push_back(parse_rule(r.as_object(), field + "[" + std::to_string(i++) + "]"));
  return out;
}

bool matches(const Segment& s, const EvalContext& ctx) {
  if (s.rules.empty()) return true;
  if (s.match == "any")
    return std::any_of(s.rules.begin(), s.rules.end(), [&](const Rule& r) { return rule_matches(r, ctx); });
  return std::all_of(s.rules.begin(), s.rules.end(), [&](const Rule& r) { return rule_matches(r, ctx); });
}

json::array rules_json(const std::vector<Rule>& rules) {
  json::array out;
  for (auto& r : rules) {
    json::object o{{"attribute", r.attribute}, {"operator", r.op}};
    if (r.op == "in" || r.op == "not_in") {
      json::array values;
      for (auto& v : r.values) values.emplace_back(v);
      o["values"] = std::move(values);
    } else if (r.op != "exists") {
      o["value"] = r.values[0];
    }
    out.push_back(std::move(o));
  }
  return out;
}

Segment segment_from_json(const json::object& o) {
  Segment s;
  s.name = std::string(o.at("name").as_string());
  if (auto* d = o.if_contains("description"); d && d->is_string()) s.description = std::string(d->as_string());
  s.match = std::string(o.at("match").as_string());
  s.rules = parse_rules(o.at("rules"));
  s.is_system = o.at("is_system").as_bool();
  s.created_at = sdk::parse_time(o.at("created_at").as_string()).value_or(0);
  s.updated_at = sdk::parse_time(o.at("updated_at").as_string()).value_or(0);
  return s;
}

json::object segment_json(const Segment& s) {
  return {{"name", s.name},
          {"description", s.description ? json::value(*s.description) : json::value(nullptr)},
          {"match", s.match},
          {"rules", rules_json(s.rules)},
          {"is_system", s.is_system},
          {"created_at", sdk::format_time(s.created_at)},
          {"updated_at", sdk::format_time(s.updated_at)}};
}

}  // namespace remote_config
