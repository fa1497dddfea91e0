#include "entries.hpp"

#include <cmath>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/time.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {

void check_value(const json::value& value, const std::string& value_type, const std::string& field,
                 std::size_t max_bytes) {
  bool ok = (value_type == "string" && value.is_string()) || (value_type == "number" && value.is_number()) ||
            (value_type == "boolean" && value.is_bool()) || value_type == "json";
  if (!ok) throw sdk::ApiError::invalid_input(field + " must be a " + value_type + " (value_type)", field);
  if (json::serialize(value).size() > max_bytes)
    throw sdk::ApiError::invalid_input(field + " is larger than " + std::to_string(max_bytes) + " bytes", field);
}

std::vector<Condition> parse_conditions(const json::array& items, const std::string& value_type,
                                        const std::set<std::string>& segments, std::size_t max_value_bytes) {
  std::vector<Condition> out;
  std::size_t i = 0;
  for (auto& item : items) {
    std::string field = "conditions[" + std::to_string(i++) + "]";
    const auto& o = item.as_object();
    Condition c;
    if (auto* n = o.if_contains("name"); n && !n->is_null()) c.name = std::string(n->as_string());
    if (auto* s = o.if_contains("segment"); s && !s->is_null()) {
      c.segment = std::string(s->as_string());
      if (!segments.count(*c.segment))
        throw sdk::ApiError(400, "INVALID_INPUT", field + ".segment: unknown segment \"" + *c.segment + "\"",
                            {{"field", field + ".segment"}, {"unknown_segment", *c.segment}});
    }
    if (auto* p = o.if_contains("percentage"); p && !p->is_null()) c.percentage = p->to_number<double>();
    if (!c.segment && !c.percentage)
      throw sdk::ApiError::invalid_input(field + " needs a segment, a percentage or both", field);
    check_value(o.at("value"), value_type, field + ".value", max_value_bytes);
    c.value = o.at("value");
    out.push_back(std::move(c));
  }
  return out;
}

json::array conditions_json(const std::vector<Condition>& conditions) {
  json::array out;
  for (auto& c : conditions) {
    json::object o;
    if (c.name) o["name"] = *c.name;
    if (c.segment) o["segment"] = *c.segment;
    if (c.percentage) {  // whole numbers as integers: 30, not 3E1
      double p = *c.percentage;
      o["percentage"] = std::floor(p) == p ? json::value(static_cast<std::int64_t>(p)) : json::value(p);
    }
    o["value"] = c.value;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Condition> conditions_from_json(const json::array& items) {
  std::vector<Condition> out;
  for (auto& c : items) {
    const auto& o = c.as_object();
    Condition cond;
    if (auto* n = o.if_contains("name"); n && n->is_string()) cond.name = std::string(n->as_string());
    if (auto* s = o.if_contains("segment"); s && s->is_string()) cond.segment = std::string(s->as_string());
    if (auto* p = o.if_contains("percentage"); p && p->is_number()) cond.percentage = p->to_number<double>();
    cond.value = o.at("value");
    out.push_back(std::move(cond));
  }
  return out;
}

Entry entry_from_json(const json::object& o) {
  Entry e;
  e.key = std::string(o.at("key").as_string());
  e.value = o.at("value");
  e.value_type = std::string(o.at("value_type").as_string());
  if (auto* d = o.if_contains("description"); d && d->is_string()) e.description = std::string(d->as_string());
  e.conditions = conditions_from_json(o.at("conditions").as_array());
  e.version = static_cast<int>(o.at("version").to_number<std::int64_t>());
  e.created_at = sdk::parse_time(o.at("created_at").as_string()).value_or(0);
  e.updated_at = sdk::parse_time(o.at("updated_at").as_string()).value_or(0);
  return e;
}

json::object entry_json(const Entry& e) {
  return {{"key", e.key},
          {"value", e.value},
          {"value_type", e.value_type},
          {"description", e.description ? json::value(*e.description) : json::value(nullptr)},
          {"conditions", conditions_json(e.conditions)},
          {"version", e.version},
          {"created_at", sdk::format_time(e.created_at)},
          {"updated_at", sdk::format_time(e.updated_at)}};
}

}  // namespace remote_config
