#include "config/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace json = boost::json;

namespace ambit::kernel {
namespace {

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string path_or_root(const std::string& path) { return path.empty() ? "(root)" : path; }

// A double counts as an integer only when it is whole and fits an int64: the
// config readers convert integers to int64, and a cast out of range is undefined.
bool is_whole_int64(double d) {
  constexpr double two_pow_63 = 9223372036854775808.0;
  return std::isfinite(d) && d >= -two_pow_63 && d < two_pow_63 && std::trunc(d) == d;
}

bool matches_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "integer") return v.is_int64() || v.is_uint64() || (v.is_double() && is_whole_int64(v.as_double()));
  if (type == "number") return v.is_number();
  return false;
}

std::vector<std::string> schema_types(const json::object& schema) {
  std::vector<std::string> types;
  if (auto* t = schema.if_contains("type")) {
    if (t->is_string()) types.emplace_back(t->as_string());
    if (t->is_array())
      for (auto& e : t->as_array())
        if (e.is_string()) types.emplace_back(e.as_string());
  }
  return types;
}

double as_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return v.as_double();
}

std::string describe_types(const std::vector<std::string>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) out += (i ? " or " : "") + types[i];
  return out;
}

}  // namespace

json::value apply_schema(const json::value& schema_value, const json::value& input, const std::string& path,
                         std::vector<std::string>& errors) {
  if (!schema_value.is_object()) return input;
  const json::object& schema = schema_value.as_object();
  const std::string where = path_or_root(path);

  auto types = schema_types(schema);
  if (!types.empty() && std::none_of(types.begin(), types.end(), [&](auto& t) { return matches_type(input, t); })) {
    errors.push_back(where + ": expected " + describe_types(types));
    return input;
  }
  if (auto* e = schema.if_contains("enum"); e && e->is_array()) {
    auto& options = e->as_array();
    if (std::find(options.begin(), options.end(), input) == options.end()) {
      std::string list;
      for (auto& o : options) list += (list.empty() ? "" : ", ") + json::serialize(o);
      errors.push_back(where + ": expected one of " + list);
    }
  }
  if (input.is_number()) {
    if (auto* m = schema.if_contains("minimum"); m && m->is_number() && as_double(input) < as_double(*m))
      errors.push_back(where + ": must be >= " + json::serialize(*m));
    if (auto* m = schema.if_contains("maximum"); m && m->is_number() && as_double(input) > as_double(*m))
      errors.push_back(where + ": must be <= " + json::serialize(*m));
    // Integers written as 3.0 are normalized so readers can use as_int64().
    if (std::find(types.begin(), types.end(), "integer") != types.end() && input.is_double())
      return json::value(static_cast<std::int64_t>(input.as_double()));
  }
  if (input.is_string()) {
    if (auto* m = schema.if_contains("minLength"); m && m->is_int64() && static_cast<std::int64_t>(input.as_string().size()) < m->as_int64())
      errors.push_back(where + (m->as_int64() == 1 ? std::string(": must not be empty") : ": must be at least " + json::serialize(*m) + " characters"));
  }
  if (input.is_array()) {
    json::array out;
    const json::value* items = schema.if_contains("items");
    std::size_t i = 0;
    for (auto& item : input.as_array()) {
      std::string item_path = path + "[" + std::to_string(i++) + "]";
      out.push_back(items ? apply_schema(*items, item, item_path, errors) : item);
    }
    return out;
  }
  if (input.is_object()) {
    json::object out;
    const json::object* props = nullptr;
    if (auto* p = schema.if_contains("properties"); p && p->is_object()) props = &p->as_object();
    bool allow_extra = false;
    const json::value* extra_schema = nullptr;
    if (auto* a = schema.if_contains("additionalProperties")) {
      if (a->is_bool()) allow_extra = a->as_bool();
      if (a->is_object()) { allow_extra = true; extra_schema = a; }
    }
    for (auto& [key, value] : input.as_object()) {
      const json::value* prop = props ? props->if_contains(key) : nullptr;
      std::string key_path = join_path(path, key);
      if (prop) {
        out[key] = apply_schema(*prop, value, key_path, errors);
      } else if (allow_extra) {
        out[key] = extra_schema ? apply_schema(*extra_schema, value, key_path, errors) : value;
      } else {
        errors.push_back(key_path + ": unknown key");
      }
    }
    std::set<std::string> required;
    if (auto* r = schema.if_contains("required"); r && r->is_array())
      for (auto& k : r->as_array())
        if (k.is_string()) required.emplace(k.as_string());
    if (props) {
      for (auto& [key, prop] : *props) {
        if (out.contains(key)) continue;
        if (required.count(key)) {
          errors.push_back(join_path(path, key) + ": is required");
        } else if (prop.is_object()) {
          if (auto* d = prop.as_object().if_contains("default")) {
            out[key] = *d;
          } else if (schema_types(prop.as_object()) == std::vector<std::string>{"object"}) {
            // Nested objects get their own defaults even when absent.
            std::vector<std::string> nested_errors;
            json::value filled = apply_schema(prop, json::object{}, join_path(path, key), nested_errors);
            if (nested_errors.empty()) out[key] = filled;
          }
        }
      }
    }
    return out;
  }
  return input;
}

void check_schema(const json::value& schema, const std::string& path, std::vector<std::string>& errors) {
  static const std::set<std::string> known = {"type", "properties", "required", "additionalProperties", "default",
                                              "enum", "minimum", "maximum", "minLength", "items", "description",
                                              "title", "examples", "format"};
  if (!schema.is_object()) {
    errors.push_back(path_or_root(path) + ": schema must be an object");
    return;
  }
  for (auto& [key, value] : schema.as_object()) {
    if (!known.count(std::string(key))) errors.push_back(join_path(path, key) + ": unsupported schema keyword");
  }
  if (auto* p = schema.as_object().if_contains("properties"); p && p->is_object())
    for (auto& [key, sub] : p->as_object()) check_schema(sub, join_path(path, "properties." + std::string(key)), errors);
  if (auto* i = schema.as_object().if_contains("items")) check_schema(*i, join_path(path, "items"), errors);
}

}  // namespace ambit::kernel
