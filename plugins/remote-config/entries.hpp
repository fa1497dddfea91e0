#pragma once
// Config entries: a key, a typed value, and ordered conditions
//   {"name"?, "segment"?, "percentage"?, "value"}
// with at least one of segment / percentage; the first condition that
// matches gives the value, else the entry's own value.
//
// value_type is string, number, boolean or json (any JSON value); every
// value must be of that type. The shapes of keys, conditions and bodies are
// declared once, in the operations' schemas (operations.cpp), and checked by
// the kernel before a handler runs; this file checks what they cannot.

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace remote_config {

struct Condition {
  std::optional<std::string> name;
  std::optional<std::string> segment;
  std::optional<double> percentage;  ///< 0..100
  boost::json::value value;
};

struct Entry {
  std::string key;
  boost::json::value value;
  std::string value_type = "string";
  std::optional<std::string> description;
  std::vector<Condition> conditions;
  int version = 1;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// Throws 400 INVALID_INPUT naming `field` when `value` is not of `value_type` or too large.
void check_value(const boost::json::value& value, const std::string& value_type, const std::string& field,
                 std::size_t max_bytes);
/// A conditions array the schema has checked, against the value type and the project's segments;
/// also that each condition has a segment or a percentage (field "conditions[i]").
std::vector<Condition> parse_conditions(const boost::json::array& items, const std::string& value_type,
                                        const std::set<std::string>& segments, std::size_t max_value_bytes);

boost::json::array conditions_json(const std::vector<Condition>& conditions);
/// Conditions as conditions_json wrote them (stored rows, version records).
std::vector<Condition> conditions_from_json(const boost::json::array& items);
boost::json::object entry_json(const Entry& e);
/// An entry as entry_json wrote it (a version record's before or after).
Entry entry_from_json(const boost::json::object& o);

}  // namespace remote_config
