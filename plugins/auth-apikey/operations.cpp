#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace apikey::operations {
namespace {

const sdk::ErrorCase kNotAUser{403, "forbidden", "the credential has no user (API keys belong to users)"};

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
        "key_prefix": {"type": "string", "description": "the key's first 14 characters, for display"},
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
          .description = "Mints a key for the calling user in the calling tenant, with the scopes named (at most "
                         "those the caller holds). The plaintext key is in the answer once and is never retrievable again.",
          .body = sdk::schema(R"json({"type": "object", "required": ["name", "scopes"], "additionalProperties": false,
            "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a label, e.g. the integration's name"},
              "scopes": {"type": "array", "minItems": 1, "items": {"type": "string", "maxLength": 100},
                         "examples": [["projects:read"]],
                         "description": "scope names (resource:action), each one the caller holds"},
              "environment": {"type": "string", "enum": ["live", "test"], "default": "live",
                              "description": "test keys start ak_test_"},
              "expires_at": {"type": ["string", "null"], "format": "date-time",
                             "description": "when the key stops (RFC 3339, in the future); null: never"},
              "scope_mode": {"deprecated": true, "description": "ignored: a key created here is always strict"}}})json"),
          .output = sdk::data_of(created_view()),
          .statuses = {201},
          .errors = {{400, "INVALID_INPUT", "a scope nobody declared (details.unknown_scope), or expires_at not an "
                                            "RFC 3339 time in the future"},
                     {403, "forbidden", "a scope the caller does not hold (details.missing_scope)"},
                     kNotAUser},
          // The seed's example, with scopes this deployment declares.
          .examples = sdk::schema(R"json({
              "body": {"name": "My integration", "scopes": ["keys:read", "audit:read"]},
              "output": {"data": {"id": "key_5c1f0e9a7b2d4c6e8f0a1b2c", "key": "ak_live_abc123...", "key_prefix": "ak_live_abc123",
                                  "name": "My integration", "user_id": "a7c2d9e4-1b3f-4c5a-8e6d-2f9b0c1a3d57",
                                  "scopes": ["audit:read", "keys:read"], "scope_mode": "strict", "environment": "live",
                                  "is_test": false, "created_at": "2026-04-14T12:00:00.000Z", "last_used_at": null,
                                  "expires_at": null, "revoked": false, "revoked_at": null, "rotated_to": null}}})json")};
}

sdk::Operation api_keys_list() {
  return {.id = "api_keys.list",
          .title = "List API keys",
          .description = "The caller's keys, or every key of the tenant with members:manage; newest first, in "
                         "pages. Never the key itself.",
          .query = sdk::page_query(),
          .output = sdk::page_of(key_view()),
          .errors = {kNotAUser},
          .read_only = true,
          .idempotent = true};
}

sdk::Operation api_keys_get() {
  return {.id = "api_keys.get",
          .title = "Get an API key",
          .description = "One key's public view (never the key itself).",
          .params = key_params(),
          .output = sdk::data_of(key_view()),
          .errors = {kNotAUser,
                     {404, "NOT_FOUND", "no such key, another tenant's, or another user's without members:manage"}},
          .read_only = true,
          .idempotent = true};
}

sdk::Operation api_keys_rotate(const Config& config) {
  auto body = sdk::schema(R"json({"type": "object", "additionalProperties": false, "properties": {
      "grace_period_hours": {"type": "integer", "minimum": 0, "default": 0,
                             "description": "how long the old key keeps working; 0: it stops now"}}})json");
  body.as_object()["properties"].as_object()["grace_period_hours"].as_object()["maximum"] = config.grace_max_hours;
  auto out = created_view().as_object();
  auto& props = out["properties"].as_object();
  props["rotated_from"] = {{"type", "string"}, {"description", "the old key's id"}};
  props["previous_key_expires_at"] = {{"type", "string"}, {"format", "date-time"},
                                     {"description", "when the old key stops: now plus the grace period"}};
  out["required"].as_array().push_back("rotated_from");
  out["required"].as_array().push_back("previous_key_expires_at");
  return {.id = "api_keys.rotate",
          .title = "Rotate an API key",
          .description = "Mints a replacement with the same name and scopes and stops the old key now or after a grace "
                         "window. Only the key's owner, with a credential holding all the key's scopes, may rotate it. "
                         "The new plaintext key is shown once.",
          .params = key_params(),
          .body = std::move(body),
          .output = sdk::data_of(std::move(out)),
          .statuses = {201},
          .errors = {kNotAUser,
                     {403, "forbidden", "another user's key (details.reason not_key_owner), or the credential lacks one "
                                        "of the key's scopes (details.reason scope_above_caller)"},
                     {404, "NOT_FOUND", "no such key, another tenant's, or another user's without members:manage"},
                     {409, "KEY_REVOKED", "the key is revoked"},
                     {409, "KEY_EXPIRED", "the key has expired"},
                     {409, "ALREADY_ROTATED", "the key was rotated before (details.rotated_to)"}},
          .destructive = true,
          .examples = sdk::schema(R"json({"body": {"grace_period_hours": 24}})json")};
}

sdk::Operation api_keys_revoke() {
  return {.id = "api_keys.revoke",
          .title = "Revoke an API key",
          .description = "Stops a key at once. Not the key you are authenticating with: rotate that one instead. "
                         "Another member's key only up to your own role.",
          .params = key_params(),
          .statuses = {204},
          .errors = {kNotAUser,
                     {403, "forbidden", "the key's user ranks above the caller (details.reason role_above_caller)"},
                     {404, "NOT_FOUND", "no such key, another tenant's, or another user's without members:manage"},
                     {409, "cannot_revoke_self", "the key authenticating this request"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation audit_records_list() {
  return {.id = "audit_records.list",
          .title = "Read the audit log",
          .description = "The tenant's audit rows (one per authenticated request), newest first, in pages, "
                         "filtered by time, credential, user, status or route; every filter is served by an index.",
          .query = sdk::page_query(
              {{"since", {{"type", "string"}, {"format", "date-time"}, {"description", "from this time (RFC 3339)"}}},
               {"until", {{"type", "string"}, {"format", "date-time"}, {"description", "before this time (RFC 3339)"}}},
               {"credential_id", {{"type", "string"}, {"maxLength", 128}, {"description", "one credential's rows"}}},
               {"user_id", {{"type", "string"}, {"maxLength", 128}, {"description", "one user's rows"}}},
               {"status", {{"type", "integer"}, {"minimum", 100}, {"maximum", 599}, {"description", "one HTTP status"}}},
               {"route", {{"type", "string"}, {"maxLength", 256}, {"description", "one route template, e.g. /v1/api_keys/:id"}}}},
              {.default_limit = 50, .max_limit = 500}),
          .output = sdk::page_of(sdk::schema(R"json({"type": "object",
              "required": ["id", "at", "tenant_id", "user_id", "credential_type", "credential_id", "method", "route", "status",
                           "request_id", "operation", "tool", "client_ip", "legacy_mode"],
              "properties": {
                "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                "tenant_id": {"type": "string"}, "user_id": {"type": ["string", "null"]},
                "credential_type": {"type": "string"}, "credential_id": {"type": "string"},
                "method": {"type": "string"}, "route": {"type": "string", "description": "the route template"},
                "status": {"type": "integer"}, "request_id": {"type": "string"},
                "operation": {"type": ["string", "null"], "description": "the operation id of the route (secrets.set), null for a route without one"},
                "tool": {"type": ["string", "null"], "description": "the tool name when an MCP client made the call (amba_secrets_set), else null"},
                "client_ip": {"type": ["string", "null"], "description": "the client address, through server.trusted_proxies"},
                "legacy_mode": {"type": "boolean", "description": "a legacy-mode key made the request"}}})json")),
          .errors = {{400, "INVALID_INPUT", "since or until is not an RFC 3339 time"}},
          .read_only = true,
          .idempotent = true};
}

}  // namespace apikey::operations
