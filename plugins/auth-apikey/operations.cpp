#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace apikey::operations {
namespace {

json::value key_params() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "id": {"type": "string", "maxLength": 64, "description": "the key's id"}}})json");
}

/// The public view of a key: never the key, never its hash.
json::object key_view() {
  return sdk::schema(R"json({"type": "object",
      "required": ["id", "key_prefix", "name", "user_id", "scopes", "scope_mode", "environment", "is_test",
                   "created_at", "last_used_at", "expires_at", "revoked", "revoked_at", "rotated_to"],
      "properties": {
        "id": {"type": "string"},
        "key_prefix": {"type": "string", "description": "the key's first characters, for display"},
        "name": {"type": "string"},
        "user_id": {"type": "string", "description": "the user the key acts for"},
        "scopes": {"type": "array", "items": {"type": "string"}},
        "scope_mode": {"type": "string", "enum": ["strict", "legacy"],
                       "description": "strict: exactly these scopes; legacy: the role's defaults (keys issued before scopes)"},
        "environment": {"type": "string", "enum": ["live", "test"]},
        "is_test": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "when it stopped (or stops, after a rotation's grace window)"},
        "rotated_to": {"type": ["string", "null"], "description": "the replacement's id after a rotation"}}})json")
      .as_object();
}

/// The creation view: the public view and the plaintext key, shown once.
json::value created_view() {
  auto v = key_view();
  v["properties"].as_object()["key"] = {{"type", "string"}, {"description", "the plaintext key: shown once, never again"}};
  v["required"].as_array().push_back("key");
  return v;
}

}  // namespace

sdk::Operation api_keys_create() {
  return {.id = "api_keys.create",
          .title = "Create an API key",
          .description = "Mints a key for the calling user in the calling workspace, with the scopes named (at most "
                         "those the caller holds). The plaintext key is in the answer once and is never retrievable again.",
          .body = sdk::schema(R"json({"type": "object", "required": ["name", "scopes"], "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a label, e.g. the integration's name"},
              "scopes": {"type": "array", "minItems": 1, "items": {"type": "string", "maxLength": 100},
                         "examples": [["projects:read"]],
                         "description": "scope names (resource:action), each one the caller holds"},
              "environment": {"type": "string", "enum": ["live", "test"], "default": "live",
                              "description": "test keys start ak_test_"},
              "expires_at": {"type": ["string", "null"], "format": "date-time",
                             "description": "when the key stops (RFC 3339, in the future); null: never"}}})json"),
          .output = sdk::data_of(created_view()),
          .statuses = {201},
          .errors = {{400, "INVALID_INPUT", "an unknown scope, or expires_at not in the future (details.field)"},
                     {403, "forbidden", "a scope the caller does not hold (details.missing_scope), or not a user's credential"}},
          .examples = {{"body", {{"name", "My integration"}, {"scopes", {"projects:read", "config:write"}}}}}};
}

sdk::Operation api_keys_list() {
  return {.id = "api_keys.list",
          .title = "List API keys",
          .description = "The caller's keys, or every key of the workspace with members:manage; newest first, in "
                         "pages. Never the key itself.",
          .query = sdk::page_query(),
          .output = sdk::page_of(key_view()),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation api_keys_get() {
  return {.id = "api_keys.get",
          .title = "Get an API key",
          .description = "One key's public view (never the key itself).",
          .params = key_params(),
          .output = sdk::data_of(key_view()),
          .errors = {{404, "NOT_FOUND", "no such key visible to the caller"}},
          .read_only = true,
          .idempotent = true};
}

sdk::Operation api_keys_rotate(const Config& config) {
  auto body = sdk::schema(R"json({"type": "object", "properties": {
      "grace_period_hours": {"type": "integer", "minimum": 0, "default": 0,
                             "description": "how long the old key keeps working; 0: it stops now"}}})json");
  body.as_object()["properties"].as_object()["grace_period_hours"].as_object()["maximum"] = config.grace_max_hours;
  auto out = created_view().as_object();
  auto& props = out["properties"].as_object();
  props["rotated_from"] = {{"type", "string"}, {"description", "the old key's id"}};
  props["previous_key_expires_at"] = {{"type", "string"}, {"format", "date-time"}};
  return {.id = "api_keys.rotate",
          .title = "Rotate an API key",
          .description = "Mints a replacement with the same name and scopes and stops the old key now or after a grace "
                         "window. Only the key's owner, with a credential holding all the key's scopes, may rotate it. "
                         "The new plaintext key is shown once.",
          .params = key_params(),
          .body = std::move(body),
          .output = sdk::data_of(std::move(out)),
          .statuses = {201},
          .errors = {{403, "forbidden", "not the key's owner, or the credential lacks one of the key's scopes"},
                     {404, "NOT_FOUND", "no such key"},
                     {409, "KEY_REVOKED", "the key is revoked"},
                     {409, "KEY_EXPIRED", "the key has expired"},
                     {409, "ALREADY_ROTATED", "the key was rotated before (details.rotated_to)"}},
          .destructive = true};
}

sdk::Operation api_keys_revoke() {
  return {.id = "api_keys.revoke",
          .title = "Revoke an API key",
          .description = "Stops a key at once. Not the key you are authenticating with: rotate that one instead. "
                         "Another member's key only up to your own role.",
          .params = key_params(),
          .statuses = {204},
          .errors = {{403, "role_above_caller", "the key's owner ranks above the caller"},
                     {404, "NOT_FOUND", "no such key"},
                     {409, "cannot_revoke_self", "the key authenticating this request"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation audit_list() {
  return {.id = "audit.list",
          .title = "Read the audit log",
          .description = "The workspace's audit rows (one per authenticated request), newest first, in pages, "
                         "filtered by time, credential, user or status.",
          .query = sdk::page_query(
              {{"since", {{"type", "string"}, {"format", "date-time"}, {"description", "from this time (RFC 3339)"}}},
               {"until", {{"type", "string"}, {"format", "date-time"}, {"description", "before this time (RFC 3339)"}}},
               {"credential_id", {{"type", "string"}, {"maxLength", 128}, {"description", "one credential's rows"}}},
               {"user_id", {{"type", "string"}, {"maxLength", 128}, {"description", "one user's rows"}}},
               {"status", {{"type", "integer"}, {"minimum", 100}, {"maximum", 599}, {"description", "one HTTP status"}}}},
              {.default_limit = 50, .max_limit = 500}),
          .output = sdk::page_of(sdk::schema(R"json({"type": "object",
              "required": ["id", "at", "tenant_id", "user_id", "credential_type", "credential_id", "method", "route", "status",
                           "request_id", "legacy_mode"],
              "properties": {
                "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                "tenant_id": {"type": "string"}, "user_id": {"type": ["string", "null"]},
                "credential_type": {"type": "string"}, "credential_id": {"type": "string"},
                "method": {"type": "string"}, "route": {"type": "string", "description": "the route template"},
                "status": {"type": "integer"}, "request_id": {"type": "string"},
                "legacy_mode": {"type": "boolean", "description": "a legacy-mode key made the request"}}})json")),
          .errors = {{400, "INVALID_INPUT", "since or until is not an RFC 3339 time"}},
          .read_only = true,
          .idempotent = true};
}

}  // namespace apikey::operations
