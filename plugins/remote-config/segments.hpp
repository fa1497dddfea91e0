#pragma once
// Segments: named rules over the evaluation context.
//
//   {"name": "beta-ios", "description": "...", "match": "all" | "any",
//    "rules": [{"attribute": "platform", "operator": "eq", "value": "ios"},
//              {"attribute": "app_version", "operator": "semver_gte", "value": "2.1.0"},
//              {"attribute": "user_id", "operator": "in", "values": ["u1", "u2"]},
//              {"attribute": "attr.plan", "operator": "eq", "value": "pro"}]}
//
// Attributes: platform, app_version, country, user_id, attr.<name>.
// Operators: eq, neq, in, not_in, exists, semver_eq, semver_gt, semver_gte,
// semver_lt, semver_lte. A rule on an attribute the request lacks does not
// match (whatever the operator). No rules: everyone matches. The shapes of
// names, rules and bodies are declared once, in the operations' schemas
// (operations.cpp), and checked by the kernel before a handler runs.

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "semver.hpp"

namespace remote_config {

/// Who is asking: GET /v1/client/config's query parameters. platform is
/// lower-cased and country upper-cased, so rules compare them exactly.
struct EvalContext {
  std::string user_id, platform, app_version, country;
  std::vector<std::pair<std::string, std::string>> attributes;  ///< attr.<name>=value, without "attr."
  std::optional<SemVer> app_semver;                               ///< parsed once

  std::optional<std::string_view> get(std::string_view attribute) const;
};

struct Rule {
  std::string attribute;
  std::string op;
  std::vector<std::string> values;  ///< one for eq/neq/semver_*, one or more for in/not_in, none for exists
  std::optional<SemVer> version;    ///< semver_* operators: values[0], parsed
};

struct Segment {
  std::string name;
  std::optional<std::string> description;
  std::string match = "all";
  std::vector<Rule> rules;
  bool is_system = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// The system segments provisioning seeds in every project.
std::vector<Segment> system_segments();
/// Apply description, match and rules, those present in a POST or PATCH body (checked by the schema);
/// 400 INVALID_INPUT naming the field for a semver_* value that is not a semantic version.
void apply_segment_body(Segment& segment, const boost::json::object& body);
bool matches(const Segment& segment, const EvalContext& ctx);

boost::json::array rules_json(const std::vector<Rule>& rules);
/// Parse rules of the schema's shape: a checked body, or stored rules.
std::vector<Rule> parse_rules(const boost::json::value& rules, const std::string& field = "rules");
boost::json::object segment_json(const Segment& s);
/// A segment as segment_json wrote it (a version record's before or after).
Segment segment_from_json(const boost::json::object& o);

}  // namespace remote_config
