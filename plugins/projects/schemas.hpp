#pragma once
// The JSON Schema fragments the projects operations (operations.cpp) share,
// each fact once: a project as clients see it, its keys, the rules of a
// name, a platform or a label.
// Header-only: inline functions, so whatever compiles operations.cpp needs
// no other source file.

#include <boost/json.hpp>

#include <string_view>

#include "ambit/sdk/operation.hpp"

namespace projects::schemas {

namespace sdk = ambit::sdk;
namespace json = boost::json;

using sdk::with_properties;

inline json::value time_or_null(std::string_view description) {
  return sdk::described(sdk::nullable(sdk::date_time("")), description);
}

inline json::value project_params() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "projectId": {"type": "string", "description": "the project's id (prj_ followed by 24 hex characters)"}}})json");
}

inline json::value platform() {
  return sdk::schema(R"json({"type": "string", "enum": ["ios", "android", "all"],
      "description": "the platform the app runs on"})json");
}
inline json::value name() {
  return sdk::schema(R"json({"type": "string", "minLength": 1, "maxLength": 200,
      "description": "the display name"})json");
}
/// bundle_id and environment: text or null (null clears it).
inline json::value label(std::string_view description) {
  return sdk::described(sdk::nullable(sdk::schema(R"json({"type": "string", "maxLength": 255})json")), description);
}

inline json::value bundle_id() { return label("the mobile app bundle id (the default Apple audience), or null"); }
inline json::value environment() { return label("a label chosen by the developer (e.g. staging), or null"); }

inline json::value project_id() {
  return sdk::schema(R"json({"type": "string", "description": "prj_ followed by 24 hex characters"})json");
}
inline json::value developer_id() {
  return sdk::schema(R"json({"type": "string", "description": "the id of the tenant that owns the project"})json");
}
inline json::value stored_status() {
  return sdk::schema(R"json({"type": "string", "enum": ["not_provisioned", "provisioning", "active", "failed"],
      "description": "the stored status (projects.get_provisioning_status also tells a job that gave up)"})json");
}
inline json::value archived() {
  return sdk::schema(R"json({"type": "boolean",
      "description": "archived: its keys are refused and it cannot be reprovisioned until unarchived"})json");
}

/// Every field of a project a client sees (views.cpp project_json).
inline json::value project() {
  return with_properties(sdk::schema(R"json({"type": "object",
      "required": ["id", "name", "developer_id", "bundle_id", "platform", "environment", "provisioning_status",
                   "region", "provisioned_at", "archived", "archived_at", "created_at", "updated_at"],
      "properties": {
        "region": {"type": ["string", "null"],
                   "description": "where provisioning ran; null until it first starts"}}})json"),
              {{"id", project_id()},
               {"name", name()},
               {"developer_id", developer_id()},
               {"bundle_id", bundle_id()},
               {"platform", platform()},
               {"environment", environment()},
               {"provisioning_status", stored_status()},
               {"provisioned_at", time_or_null("when the project became active; null before")},
               {"archived", archived()},
               {"archived_at", time_or_null("since when it is archived; null when it is not")},
               {"created_at", sdk::date_time("creation time")},
               {"updated_at", sdk::date_time("time of the last change (details, archive, provisioning progress)")}});
}

inline json::value key_type() {
  return sdk::schema(R"json({"type": "string", "enum": ["client", "server"],
      "description": "client: for apps; server: for the developer's servers"})json");
}
inline json::value key_environment() {
  return sdk::schema(R"json({"type": "string", "enum": ["development", "production"]})json");
}
inline json::value key_prefix() {
  return sdk::schema(R"json({"type": "string", "description": "the first 22 characters of the key, for display"})json");
}

/// A key as listed (views.cpp key_json): never the key itself.
inline json::value listed_key() {
  return with_properties(sdk::schema(R"json({"type": "object",
      "required": ["id", "key_prefix", "key_type", "environment", "is_active", "created_at", "revoked_at",
                   "last_used_at"],
      "properties": {
        "id": {"type": "string", "description": "pk_ followed by 24 hex characters: the keyId of project_keys.revoke"},
        "is_active": {"type": "boolean", "description": "false once revoked"}}})json"),
              {{"key_prefix", key_prefix()},
               {"key_type", key_type()},
               {"environment", key_environment()},
               {"created_at", sdk::date_time("creation time")},
               {"revoked_at", time_or_null("revocation time, or null")},
               {"last_used_at", time_or_null("the last successful use (written in batches, seconds late), or null")}});
}

/// A freshly minted key (views.cpp minted_key_json): the only time `key` is shown.
inline json::value minted_key() {
  return with_properties(sdk::schema(R"json({"type": "object", "required": ["id", "key", "prefix", "type", "environment"],
      "properties": {
      "id": {"type": "string", "description": "pk_ followed by 24 hex characters"},
      "key": {"type": "string", "description": "the plaintext key: shown in this response only, store it now"}}})json"),
              {{"prefix", key_prefix()}, {"type", key_type()}, {"environment", key_environment()}});
}

}  // namespace projects::schemas
