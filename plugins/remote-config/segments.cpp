#include "segments.hpp"

#include <algorithm>
#include <regex>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/time.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {
namespace {

constexpr std::size_t kMaxRules = 50;
constexpr std::size_t kMaxValues = 1000;
constexpr std::size_t kMaxText = 256;

bool is_semver_op(std::string_view op) { return op.rfind("semver_", 0) == 0; }

bool known_op(std::string_view op) {
  static const std::vector<std::string_view> ops{"eq",        "neq",       "in",         "not_in",    "exists",
                                                 "semver_eq", "semver_gt", "semver_gte", "semver_lt", "semver_lte"};
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

bool known_attribute(std::string_view a) {
  static const std::regex custom("attr\\.[A-Za-z0-9_.-]{1,64}");
  return a == "platform" || a == "app_version" || a == "country" || a == "user_id" ||
         std::regex_match(a.begin(), a.end(), custom);
}

/// platform and country compare case-insensitively: normalize both sides alike.
std::string normalize(std::string_view attribute, std::string value) {
  if (attribute == "platform")
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  if (attribute == "country")
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::toupper(c); });
  return value;
}

Rule parse_rule(const json::value& v, const std::string& field) {
  if (!v.is_object()) throw sdk::ApiError::invalid_input(field + " must be an object", field);
  const auto& o = v.as_object();
  Rule r;
  auto text = [&](const char* name) -> std::string {
    auto* x = o.if_contains(name);
    if (!x || !x->is_string() || x->as_string().empty() || x->as_string().size() > kMaxText)
      throw sdk::ApiError::invalid_input(field + "." + name + " must be a non-empty string", field + "." + name);
    return std::string(x->as_string());
  };
  r.attribute = text("attribute");
  if (!known_attribute(r.attribute))
    throw sdk::ApiError::invalid_input(
        field + ".attribute must be platform, app_version, country, user_id or attr.<name>", field + ".attribute");
  r.op = text("operator");
  if (!known_op(r.op))
    throw sdk::ApiError::invalid_input(field + ".operator \"" + r.op + "\" is not a known operator",
                                       field + ".operator");
  if (r.op == "in" || r.op == "not_in") {
    auto* vals = o.if_contains("values");
    if (!vals || !vals->is_array() || vals->as_array().empty() || vals->as_array().size() > kMaxValues)
      throw sdk::ApiError::invalid_input(field + ".values must be a non-empty array of strings", field + ".values");
    for (auto& x : vals->as_array()) {
      if (!x.is_string() || x.as_string().size() > kMaxText)
        throw sdk::ApiError::invalid_input(field + ".values must be a non-empty array of strings", field + ".values");
      r.values.push_back(normalize(r.attribute, std::string(x.as_string())));
    }
  } else if (r.op != "exists") {
    r.values.push_back(normalize(r.attribute, text("value")));
    if (is_semver_op(r.op)) {
      r.version = parse_semver(r.values[0]);
      if (!r.version)
        throw sdk::ApiError::invalid_input(field + ".value must be a semantic version (e.g. 2.1.0)", field + ".value");
    }
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

bool valid_segment_name(std::string_view name) {
  static const std::regex valid("[a-z][a-z0-9_-]{0,62}");
  return std::regex_match(name.begin(), name.end(), valid);
}

void apply_segment_body(Segment& s, const json::object& body, bool partial) {
  if (!partial) {
    auto* name = body.if_contains("name");
    if (!name || !name->is_string() || !valid_segment_name(name->as_string()))
      throw sdk::ApiError::invalid_input("name must match [a-z][a-z0-9_-]{0,62}", "name");
    s.name = std::string(name->as_string());
  }
  if (auto* d = body.if_contains("description")) {
    if (!d->is_null() && (!d->is_string() || d->as_string().size() > 1000))
      throw sdk::ApiError::invalid_input("description must be a string of at most 1000 characters or null",
                                         "description");
    s.description = d->is_null() ? std::nullopt : std::optional<std::string>(std::string(d->as_string()));
  }
  if (auto* m = body.if_contains("match")) {
    if (!m->is_string() || (m->as_string() != "all" && m->as_string() != "any"))
      throw sdk::ApiError::invalid_input("match must be \"all\" or \"any\"", "match");
    s.match = std::string(m->as_string());
  }
  if (auto* r = body.if_contains("rules")) {
    s.rules = parse_rules(*r);
  } else if (!partial) {
    throw sdk::ApiError::invalid_input("rules is required (an array; empty matches everyone)", "rules");
  }
}

std::vector<Rule> parse_rules(const json::value& rules, const std::string& field) {
  if (!rules.is_array() || rules.as_array().size() > kMaxRules)
    throw sdk::ApiError::invalid_input(field + " must be an array of at most 50 rules", field);
  std::vector<Rule> out;
  std::size_t i = 0;
  for (auto& r : rules.as_array()) out.push_back(parse_rule(r, field + "[" + std::to_string(i++) + "]"));
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
