#pragma once
// The JSON Schema fragments the remote-config operations (operations.cpp)
// share, each fact once: a config key and its conditions, a segment and its
// rules, as written and as returned.
// Header-only: inline functions, so whatever compiles operations.cpp needs
// no other source file.

#include <boost/json.hpp>

#include <string_view>

#include "ambit/sdk/operation.hpp"

namespace remote_config::schemas {

namespace sdk = ambit::sdk;
namespace json = boost::json;

using sdk::with_properties;


inline json::value project_params() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "projectId": {"type": "string", "description": "the project's id (prj_ followed by 24 hex characters)"}}})json");
}
inline json::value key_params() {
  return with_properties(project_params(),
              {{"key", sdk::schema(R"json({"type": "string", "description": "the config key"})json")}});
}
inline json::value segment_params() {
  return with_properties(project_params(),
              {{"name", sdk::schema(R"json({"type": "string", "description": "the segment's name"})json")}});
}

inline json::value config_key() {
  return sdk::schema(R"json({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,127}$",
      "description": "the key name, unique in the project: a letter, then up to 127 letters, digits, _ . or -"})json");
}
inline json::value value_type() {
  return sdk::schema(R"json({"type": "string", "enum": ["string", "number", "boolean", "json"],
      "default": "string", "description": "the type of every value of the key (json: any JSON value)"})json");
}
inline json::value any_value(std::string_view description) { return {{"description", description}}; }
/// Notes for people: text, or null for none.
inline json::value notes() {
  return sdk::schema(R"json({"type": ["string", "null"], "maxLength": 1000,
      "description": "notes for developers, never sent to clients; null for none"})json");
}
inline json::value segment_name() {
  return sdk::schema(R"json({"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,62}$",
      "description": "a lower-case letter, then up to 62 lower-case letters, digits, _ or -"})json");
}
inline json::value match() {
  return sdk::schema(R"json({"type": "string", "enum": ["all", "any"], "default": "all",
      "description": "all: every rule must match; any: at least one"})json");
}
inline json::value rule_operator() {
  return sdk::schema(R"json({"type": "string", "enum": ["eq", "neq", "in", "not_in", "exists", "semver_eq",
      "semver_gt", "semver_gte", "semver_lt", "semver_lte"]})json");
}

/// A condition as written. "A segment, a percentage or both" stays in the
/// handler: it names the condition itself (conditions[i]), not one field.
inline json::value condition_in() {
  return with_properties(sdk::schema(R"json({"type": "object", "required": ["value"],
      "description": "an override: needs a segment, a percentage or both (null counts as absent)",
      "properties": {
        "name": {"type": ["string", "null"], "maxLength": 100, "description": "a label for people"},
        "percentage": {"type": ["number", "null"], "minimum": 0, "maximum": 100,
                       "description": "the share of users (by user_id) it applies to; two decimals count"}}})json"),
              {{"segment", sdk::nullable(segment_name())},
               {"value", any_value("the value for the clients this condition matches, of the key's value_type")}});
}
inline json::value conditions_in() {
  auto s = sdk::schema(R"json({"type": ["array", "null"], "maxItems": 50,
      "description": "the ordered overrides: the first that matches gives the value; null or [] for none"})json");
  s.as_object()["items"] = condition_in();
  return s;
}

/// A rule as written: an operand that fits its operator.
inline json::value rule_in() {
  return with_properties(sdk::schema(R"json({"type": "object", "required": ["attribute", "operator"],
      "properties": {
        "attribute": {"type": "string",
                      "pattern": "^(platform|app_version|country|user_id|attr\\.[A-Za-z0-9_.-]{1,64})$",
                      "description": "platform, app_version, country, user_id or attr.<name>"},
        "value": {"type": "string", "minLength": 1, "maxLength": 256,
                  "description": "the operand of eq, neq and semver_* (a semantic version for those)"},
        "values": {"type": "array", "minItems": 1, "maxItems": 1000,
                   "items": {"type": "string", "maxLength": 256}, "description": "the operands of in and not_in"}},
      "anyOf": [
        {"description": "in, not_in: values", "properties": {"operator": {"enum": ["in", "not_in"]}},
         "required": ["values"]},
        {"description": "eq, neq, semver_*: value",
         "properties": {"operator": {"enum": ["eq", "neq", "semver_eq", "semver_gt", "semver_gte", "semver_lt",
                                               "semver_lte"]}},
         "required": ["value"]},
        {"description": "exists: no operand", "properties": {"operator": {"const": "exists"}}}]})json"),
              {{"operator", rule_operator()}});
}
inline json::value rules_in() {
  auto s = sdk::schema(R"json({"type": "array", "maxItems": 50,
      "description": "the rules; [] matches every client"})json");
  s.as_object()["items"] = rule_in();
  return s;
}

/// A config row (entries.cpp entry_json).
inline json::value entry() {
  auto condition = with_properties(sdk::schema(R"json({"type": "object", "required": ["value"],
      "description": "name, segment and percentage are present only when set",
      "properties": {"name": {"type": "string"},
                     "percentage": {"type": "number", "minimum": 0, "maximum": 100}}})json"),
                        {{"segment", segment_name()}, {"value", any_value("the value when this condition matches")}});
  return with_properties(sdk::schema(R"json({"type": "object",
      "required": ["key", "value", "value_type", "description", "conditions", "version", "created_at", "updated_at"],
      "properties": {
        "version": {"type": "integer", "minimum": 1,
                    "description": "1 when created; +1 on every upsert and every PATCH with a value"}}})json"),
              {{"key", config_key()},
               {"value", any_value("the default: what a client gets when no condition matches")},
               {"value_type", value_type()},
               {"description", notes()},
               {"conditions", {{"type", "array"}, {"items", std::move(condition)}}},
               {"created_at", sdk::date_time("when the key was first created")},
               {"updated_at", sdk::date_time("time of the last change")}});
}

/// A segment (segments.cpp segment_json).
inline json::value segment() {
  auto rule = with_properties(sdk::schema(R"json({"type": "object", "required": ["attribute", "operator"], "properties": {
      "attribute": {"type": "string"},
      "value": {"type": "string", "description": "platform values lower-cased, country values upper-cased"},
      "values": {"type": "array", "items": {"type": "string"}}}})json"),
                   {{"operator", rule_operator()}});
  return with_properties(sdk::schema(R"json({"type": "object",
      "required": ["name", "description", "match", "rules", "is_system", "created_at", "updated_at"],
      "properties": {"is_system": {"type": "boolean",
          "description": "seeded at provisioning (all_users, ios, android, web); cannot change"}}})json"),
              {{"name", segment_name()},
               {"description", notes()},
               {"match", match()},
               {"rules", {{"type", "array"}, {"items", std::move(rule)}}},
               {"created_at", sdk::date_time("creation time")},
               {"updated_at", sdk::date_time("time of the last change")}});
}

inline json::value version_params() {
  return with_properties(project_params(),
              {{"version", sdk::schema(R"json({"type": "string", "pattern": "^[1-9][0-9]{0,15}$",
                                               "examples": ["12"], "description": "the config version's number"})json")}});
}

/// A config version (routes_versions.cpp version_json); `full`: each change's before and after, and the
/// config as it stood.
inline json::value config_version(bool full) {
  auto change = sdk::schema(R"json({"type": "object", "required": ["kind", "name", "change"], "properties": {
      "kind": {"enum": ["key", "segment"]},
      "name": {"type": "string", "description": "the key or the segment's name"},
      "change": {"enum": ["added", "changed", "removed"]}}})json");
  if (full) {
    auto& props = change.as_object()["properties"].as_object();
    props["before"] = {{"description", "the key or segment before (null when added), as the list routes show it"}};
    props["after"] = {{"description", "the key or segment after (null when removed)"}};
    change.as_object()["required"] = json::array{"kind", "name", "change", "before", "after"};
  }
  auto v = with_properties(sdk::schema(R"json({"type": "object",
      "required": ["version", "created_at", "principal", "operation", "hash", "restored", "changes"],
      "properties": {
        "version": {"type": "integer", "minimum": 1, "description": "1, 2, 3... per project, without gaps"},
        "principal": {"type": "object", "required": ["user_id", "credential_id", "credential_type"],
                      "description": "who wrote it; null ids: the server itself (provisioning)",
                      "properties": {"user_id": {"type": ["string", "null"]},
                                     "credential_id": {"type": ["string", "null"]},
                                     "credential_type": {"type": ["string", "null"]}}},
        "operation": {"type": "string", "description": "the operation that wrote it, e.g. config.set"},
        "hash": {"type": "string", "description": "the project's version hash once it was written"},
        "restored": {"type": ["integer", "null"], "description": "a rollback: the version it restored"}}})json"),
                           {{"created_at", sdk::date_time("when it was written")},
                            {"changes", {{"type", "array"}, {"items", std::move(change)}}}});
  if (full) {
    auto& o = v.as_object();
    o["properties"].as_object()["config"] = {
        {"type", "object"},
        {"required", {"keys", "segments"}},
        {"description", "the whole config once this version was written"},
        {"properties", {{"keys", {{"type", "array"}, {"items", entry()}}},
                        {"segments", {{"type", "array"}, {"items", segment()}}}}}};
    o["required"].as_array().push_back("config");
  }
  return v;
}

inline json::value deleted(const char* what) {
  return sdk::data_of({{"type", "object"},
                       {"required", {"deleted", what}},
                       {"properties", {{"deleted", {{"const", true}}}, {what, {{"type", "string"}}}}}});
}

}  // namespace remote_config::schemas
