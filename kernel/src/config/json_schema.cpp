#include "config/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "schema/schema_validator.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string path_or_root(const std::string& path) { return path.empty() ? "(root)" : path; }

/// A violation's field below the config path: "plugins[2].config" + "list[1]".
std::string config_path(const std::string& base, const std::string& field) {
  if (field.empty()) return path_or_root(base);
  if (base.empty()) return field;
  return base + (field.front() == '[' ? "" : ".") + field;
}

/// Config errors keep the wording operators know for the two commonest
/// problems ("expected integer", "unknown key"); the rest reads as clients
/// see it ("must be at most 168", "must be one of: strict, legacy").
std::string config_message(const std::string& message) {
  if (message == "is not allowed") return "unknown key";
  static constexpr std::string_view must_be = "must be ";
  static const std::vector<std::string_view> type_names = {"object", "array", "string", "integer",
                                                           "number", "boolean", "null"};
  if (message.rfind(must_be, 0) != 0) return message;
  // "must be a string, an integer or null" -> "expected string or integer or null"
  std::string_view rest = std::string_view(message).substr(must_be.size());
  std::string types;
  while (!rest.empty()) {
    std::size_t end = std::min(rest.find(", "), rest.find(" or "));
    std::string_view part = rest.substr(0, end);
    if (part.rfind("an ", 0) == 0) part.remove_prefix(3);
    else if (part.rfind("a ", 0) == 0) part.remove_prefix(2);
    if (std::find(type_names.begin(), type_names.end(), part) == type_names.end()) return message;
    types += (types.empty() ? "" : " or ") + std::string(part);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + (rest.compare(end, 2, ", ") == 0 ? 2 : 4));
  }
  return "expected " + types;
}

/// Config schemas are closed: an object schema without additionalProperties
/// refuses unknown keys. Applied wherever a schema describes a whole value:
/// the root, properties, items, additionalProperties, anyOf and oneOf
/// branches; not to a schema whose anyOf/oneOf/allOf describe the value (its
/// branches do), nor at the top of allOf branches (each describes only part
/// of the value), nor under not (closing there would invert the meaning).
json::value closed(const json::value& schema, bool close_here = true) {
  if (!schema.is_object()) return schema;
  json::object out = schema.get_object();
  const bool combined = out.contains("anyOf") || out.contains("oneOf") || out.contains("allOf");
  if (close_here && !combined && !out.contains("additionalProperties")) out["additionalProperties"] = false;
  if (auto* p = out.if_contains("properties"); p && p->is_object())
    for (auto& member : p->get_object()) member.value() = closed(member.value());
  for (std::string_view key : {"additionalProperties", "items"})
    if (auto* s = out.if_contains(key)) *s = closed(*s);
  for (std::string_view key : {"anyOf", "oneOf", "allOf"})
    if (auto* list = out.if_contains(key); list && list->is_array())
      for (auto& branch : list->get_array()) branch = closed(branch, key != "allOf");
  return out;
}

// A double counts as an integer only when it is whole and fits an int64 (the
// validator's rule): such values are written as int64 so readers can use as_int64().
bool is_whole_int64(double d) {
  constexpr double two_pow_63 = 9223372036854775808.0;
  return std::isfinite(d) && d >= -two_pow_63 && d < two_pow_63 && std::trunc(d) == d;
}

std::vector<std::string> schema_types(const json::object& schema) {
  std::vector<std::string> types;
  if (auto* t = schema.if_contains("type")) {
    if (t->is_string()) types.emplace_back(t->get_string());
    if (t->is_array())
      for (auto& e : t->get_array())
        if (e.is_string()) types.emplace_back(e.get_string());
  }
  return types;
}

bool is_required(const json::object& schema, std::string_view key) {
  const auto* r = schema.if_contains("required");
  if (!r || !r->is_array()) return false;
  for (auto& k : r->get_array())
    if (k.is_string() && std::string_view(k.get_string().data(), k.get_string().size()) == key) return true;
  return false;
}

bool conforms(const json::value& schema, const json::value& value) {
  try {
    return CompiledSchema(schema).check(value, 1).empty();
  } catch (const std::invalid_argument&) {
    return false;
  }
}

/// `input` with the defaults of `schema` filled in. Follows properties,
/// additionalProperties and items (not anyOf/oneOf/allOf/not); tolerates an
/// input that does not conform (errors are reported separately).
json::value with_defaults(const json::value& schema, const json::value& input) {
  const json::object* s = schema.if_object();
  if (!s) return input;
  if (input.is_double()) {
    auto types = schema_types(*s);
    if (std::find(types.begin(), types.end(), "integer") != types.end() && is_whole_int64(input.get_double()))
      return json::value(static_cast<std::int64_t>(input.get_double()));
    return input;
  }
  if (const auto* a = input.if_array()) {
    const json::value* items = s->if_contains("items");
    if (!items) return input;
    json::array out;
    out.reserve(a->size());
    for (auto& item : *a) out.push_back(with_defaults(*items, item));
    return out;
  }
  const json::object* o = input.if_object();
  if (!o) return input;
  const json::object* props = nullptr;
  if (auto* p = s->if_contains("properties")) props = p->if_object();
  const json::value* extra = s->if_contains("additionalProperties");
  if (extra && !extra->is_object()) extra = nullptr;
  json::object out;
  for (auto& [key, value] : *o) {
    const json::value* prop = props ? props->if_contains(key) : nullptr;
    out[key] = prop ? with_defaults(*prop, value) : extra ? with_defaults(*extra, value) : value;
  }
  if (props) {
    for (auto& [key, prop] : *props) {
      if (out.contains(key) || is_required(*s, key) || !prop.is_object()) continue;
      if (auto* d = prop.get_object().if_contains("default")) {
        out[key] = *d;
      } else if (schema_types(prop.get_object()) == std::vector<std::string>{"object"}) {
        // Nested objects get their own defaults even when absent, when that makes a valid value.
        json::value filled = with_defaults(prop, json::object{});
        if (conforms(prop, filled)) out[key] = std::move(filled);
      }
    }
  }
  return out;
}

}  // namespace

json::value apply_schema(const json::value& schema, const json::value& input, const std::string& path,
                         std::vector<std::string>& errors) {
  json::value closed_schema = closed(schema);
  std::optional<CompiledSchema> compiled;
  try {
    compiled.emplace(closed_schema);
  } catch (const std::invalid_argument& e) {
    errors.push_back(path_or_root(path) + ": cannot be validated, the schema is invalid: " + e.what());
    return input;
  }
  for (auto& v : compiled->check(input, std::numeric_limits<std::size_t>::max()))
    errors.push_back(config_path(path, v.field) + ": " + config_message(v.message));
  return with_defaults(closed_schema, input);
}

void check_schema(const json::value& schema, const std::string& path, std::vector<std::string>& errors) {
  try {
    CompiledSchema compiled(schema);
  } catch (const std::invalid_argument& e) {
    // "<schema path>: <problem>; ..." with paths relative to the schema, "(root)" for itself.
    std::string_view all = e.what();
    while (!all.empty()) {
      std::string_view one = all.substr(0, all.find("; "));
      all.remove_prefix(std::min(all.size(), one.size() + 2));
      std::size_t colon = one.find(": ");
      std::string_view where = one.substr(0, colon);
      std::string_view what = colon == std::string_view::npos ? one : one.substr(colon + 2);
      errors.push_back((where == "(root)" || colon == std::string_view::npos ? path_or_root(path)
                                                                             : join_path(path, where)) +
                       ": " + std::string(what));
    }
  }
}

}  // namespace ambit::kernel
