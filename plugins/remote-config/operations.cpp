#include "operations.hpp"

#include "schemas.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config::operations {

using namespace schemas;

namespace {

const sdk::ErrorCase kNoProject{404, "NOT_FOUND", "no such project, or another tenant's"};
const sdk::ErrorCase kBadValue{400, "INVALID_INPUT",
                               "a value is not of the key's value_type or larger than max_value_bytes; a condition "
                               "has neither segment nor percentage, or names an unknown segment "
                               "(details.unknown_segment)"};
const sdk::ErrorCase kStale{412, "VERSION_CONFLICT",
                            "If-Match names a config version that is no longer the current one "
                            "(details.current_version); nothing was written"};
const sdk::ErrorCase kBadVersion{400, "INVALID_INPUT", "a semver_* rule's value is not a semantic version"};
const sdk::ErrorCase kLongContext{400, "INVALID_INPUT", "a query value is longer than 256 characters (details.field names it)"};
const sdk::ErrorCase kNotProjectKey{401, "unauthenticated", "a credential that is not a project API key (reason not_a_project_key)"};
const sdk::ErrorCase kNotActive{503, "PROJECT_NOT_ACTIVE", "the project is not active yet (details.status): retry later"};

/// The client's evaluation context: the query of both client operations.
boost::json::value client_context_query() {
  return sdk::schema(R"json({"type": "object",
      "properties": {
        "user_id": {"type": "string", "maxLength": 256,
                    "description": "for user_id rules and percentage rollouts (none without it)"},
        "platform": {"type": "string", "maxLength": 256, "description": "for platform rules (case-insensitive)"},
        "app_version": {"type": "string", "maxLength": 256, "description": "for app_version rules"},
        "country": {"type": "string", "maxLength": 256, "description": "for country rules (case-insensitive)"}},
      "additionalProperties": {"type": "string", "maxLength": 256}})json");
}

}  // namespace

sdk::Operation config_set() {
  return {
      .id = "config.set",
      .title = "Set a config key",
      .description = "Creates the key, or replaces it as a whole (absent fields take their defaults; version + 1, "
                     "created_at kept). Every value, the key's own and each condition's, must be of value_type.",
      .params = project_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "required": ["key", "value"], "additionalProperties": false,
                                       "properties": {}})json"),
                   {{"key", config_key()},
                    {"value", any_value("the default value, of value_type")},
                    {"value_type", value_type()},
                    {"description", notes()},
                    {"conditions", conditions_in()}}),
      .output = sdk::data_of(entry()),
      .statuses = {201},
      .errors = {kStale, kBadValue, kNoProject,
                 {409, "KEY_LIMIT", "the key is new and the project has max_keys keys (details.max_keys)"},
                 {500, "SET_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,
      .examples = sdk::schema(R"json({
          "body": {"key": "banner", "value": "Welcome", "description": "home screen banner",
                   "conditions": [{"name": "iOS beta", "segment": "ios", "percentage": 25,
                                   "value": "Welcome, beta tester"},
                                  {"segment": "android", "value": "Welcome, Android"}]},
          "output": {"data": {"key": "banner", "value": "Welcome", "value_type": "string",
                              "description": "home screen banner",
                              "conditions": [{"name": "iOS beta", "segment": "ios", "percentage": 25,
                                              "value": "Welcome, beta tester"},
                                             {"segment": "android", "value": "Welcome, Android"}],
                              "version": 1, "created_at": "2026-04-14T12:00:00.000Z",
                              "updated_at": "2026-04-14T12:00:00.000Z"}}})json"),
  };
}

sdk::Operation config_list() {
  return {
      .id = "config.list",
      .title = "List config keys",
      .description = "Every key of the project, ordered by key. The ETag header carries the project's config "
                     "version (\"12\"), which every write moves on: send it back as If-Match with a write to "
                     "write only if nobody wrote since (412 VERSION_CONFLICT otherwise).",
      .params = project_params(),
      .output = sdk::data_of({{"type", "array"}, {"items", entry()}}),
      .errors = {kNoProject, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation config_update() {
  return {
      .id = "config.update",
      .title = "Update a config key",
      .description = "Changes only the fields present (unknown ones are ignored): a value (of the stored value_type) "
                     "bumps the version; null clears the description; null or [] removes every condition. A body "
                     "without any of the three returns the row unchanged.",
      .params = key_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "properties": {}})json"),
                   {{"value", any_value("the new default value, of the key's value_type")},
                    {"description", notes()},
                    {"conditions", conditions_in()}}),
      .output = sdk::data_of(entry()),
      .errors = {kStale, kBadValue,
                 {404, "NOT_FOUND", "no such project (or another tenant's), or no such key in it"},
                 {500, "UPDATE_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,
      .examples = sdk::schema(R"json({"body": {"value": "Hello", "description": null}})json"),
  };
}

sdk::Operation config_delete() {
  return {
      .id = "config.delete",
      .title = "Delete a config key",
      .description = "Deletes the key; clients stop receiving it on their next fetch.",
      .params = key_params(),
      .output = deleted("key"),
      .errors = {kStale, {404, "NOT_FOUND", "no such project (or another tenant's), or no such key in it"},
                 {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {"deleted": true, "key": "banner"}}})json"),
  };
}

sdk::Operation segments_list() {
  return {
      .id = "segments.list",
      .title = "List segments",
      .description = "The project's segments: the system ones provisioning seeds and the custom ones.",
      .params = project_params(),
      .output = sdk::data_of({{"type", "array"}, {"items", segment()}}),
      .errors = {kNoProject, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation segments_create() {
  return {
      .id = "segments.create",
      .title = "Create a segment",
      .description = "Creates a custom segment: named rules over what clients send to client_config.get, for "
                     "conditions to refer to.",
      .params = project_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "required": ["name", "rules"], "properties": {}})json"),
                   {{"name", segment_name()}, {"description", notes()}, {"match", match()}, {"rules", rules_in()}}),
      .output = sdk::data_of(segment()),
      .statuses = {201},
      .errors = {kStale, kBadVersion, kNoProject,
                 {409, "SEGMENT_EXISTS", "a segment of that name exists (details.name)"},
                 {500, "SET_FAILED", "an unexpected failure; nothing was written"}},
      .idempotent = true,
      .examples = sdk::schema(R"json({"body": {"name": "eu-modern", "description": "new app in the EU", "match": "all",
          "rules": [{"attribute": "app_version", "operator": "semver_gte", "value": "2.1.0"},
                    {"attribute": "country", "operator": "in", "values": ["DE", "FR"]}]}})json"),
  };
}

sdk::Operation segments_update() {
  return {
      .id = "segments.update",
      .title = "Update a segment",
      .description = "Changes a custom segment's description, match or rules (the fields present; unknown ones are "
                     "ignored). Conditions that use it see the change at once.",
      .params = segment_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "properties": {}})json"),
                   {{"description", notes()}, {"match", match()}, {"rules", rules_in()}}),
      .output = sdk::data_of(segment()),
      .errors = {kStale, kBadVersion,
                 {404, "NOT_FOUND", "no such project (or another tenant's), or no such segment in it"},
                 {409, "SYSTEM_SEGMENT", "system segments cannot be changed"},
                 {500, "UPDATE_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,
      .idempotent = true,
  };
}

sdk::Operation segments_delete() {
  return {
      .id = "segments.delete",
      .title = "Delete a segment",
      .description = "Deletes a custom segment that no condition uses.",
      .params = segment_params(),
      .output = deleted("name"),
      .errors = {kStale, {404, "NOT_FOUND", "no such project (or another tenant's), or no such segment in it"},
                 {409, "SYSTEM_SEGMENT", "system segments cannot be deleted"},
                 {409, "SEGMENT_IN_USE", "conditions still use it (details.keys lists their keys)"},
                 {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
  };
}

sdk::Operation client_config_get() {
  return {
      .id = "client_config.get",
      .title = "Get the config for a client",
      .description = "The project's config evaluated for one client, with a project API key (it names the project). "
                     "Send the client's context in the query, each value at most 256 characters; attr.<name>=<value> "
                     "sets a custom attribute for attr.<name> rules, other parameters are ignored. Send the ETag you "
                     "hold in If-None-Match: an unchanged result answers 304 without a body.",
      .query = client_context_query(),
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["config", "etag"], "properties": {
          "config": {"type": "object", "description": "every key of the project and the value chosen for this client"},
          "etag": {"type": "string", "pattern": "^[0-9a-f]{32}$",
                   "description": "this result's ETag (also the ETag header, quoted)"}}})json")),
      .errors = {kLongContext, kNotProjectKey, kNotActive, {500, "INTERNAL", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      // The hot path: the kernel does not validate; the handler's own check is one length comparison per value.
      .handler_validates = true,
      .examples = sdk::schema(R"json({"output": {"data": {
          "config": {"banner": "Welcome, beta tester", "max_items": 20, "new_ui": true},
          "etag": "9c1f4e2b7a0d83f5e6b1c4a7d2093e8f"}}})json"),
  };
}

sdk::Operation config_preview() {
  return {
      .id = "config.preview",
      .title = "Preview the config for a context",
      .description = "What GET /v1/client/config would answer a client with this context now: every key and the "
                     "value chosen for it, and the result's ETag. For people and agents checking conditions and "
                     "rollouts before the apps do; the query is the client endpoint's.",
      .params = project_params(),
      .query = client_context_query(),
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["config", "etag"], "properties": {
          "config": {"type": "object", "description": "every key of the project and the value chosen for this context"},
          "etag": {"type": "string", "description": "the ETag a client with this context gets"}}})json")),
      .errors = {kNoProject, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation client_config_stream() {
  return {
      .id = "client_config.stream",
      .title = "Stream the config for a client",
      .description =
          "The config of GET /v1/client/config, live, as Server-Sent Events, with the same project API key and "
          "query. The first event is the current result (none when Last-Event-ID names it already); another "
          "follows only when this client's result changes, within a second of the write, on every server "
          "process. Events: `config` (id: the ETag; data: {\"config\", \"etag\"}, as the GET's data) and `end` "
          "(data: {\"reason\", \"message\", \"reconnect\"}), after which the server ends the body: reasons "
          "revoked, project_archived, project_deleted or another 401 reason (reconnect false), shutting_down and "
          "unavailable (reconnect true, after the `retry:` delay). A `: keep-alive` comment comes every stream_heartbeat_seconds.",
      .query = client_context_query(),
      .output = sdk::schema(R"json({"type": "string", "description": "text/event-stream: config and end events"})json"),
      .errors = {kLongContext, kNotProjectKey, kNotActive, {500, "INTERNAL", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .output_media_type = "text/event-stream",
      .handler_validates = true,  // as client_config.get: one check per value, in the handler
  };
}

sdk::Operation config_versions_list() {
  return {
      .id = "config_versions.list",
      .title = "List config versions",
      .description = "The project's config versions, newest first: every config or segment write made one, with "
                     "who made it and which keys and segments it added, changed or removed. At most the newest "
                     "max_versions are kept.",
      .params = project_params(),
      .query = sdk::page_query({}, {.default_limit = 50, .max_limit = 300}),
      .output = sdk::page_of(config_version(false)),
      .errors = {kNoProject, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation config_versions_get() {
  return {
      .id = "config_versions.get",
      .title = "Get a config version",
      .description = "One config version: what it changed (each key and segment before and after) and the whole "
                     "config as it stood once it was written (keys and segments).",
      .params = version_params(),
      .output = sdk::data_of(config_version(true)),
      .errors = {{404, "NOT_FOUND", "no such project (or another tenant's), or no such version (or pruned)"},
                 {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation config_versions_rollback() {
  return {
      .id = "config_versions.rollback",
      .title = "Roll back to a config version",
      .description = "Makes the config as it stood at that version current again, as a new version, in one "
                     "transaction: keys and segments added since are removed, changed ones restored, removed ones "
                     "restored. Clients get it on their next fetch. Rolling back to the current content writes "
                     "nothing and answers the current version.",
      .params = version_params(),
      .output = sdk::data_of(config_version(false)),
      .errors = {kStale,
                 {404, "NOT_FOUND", "no such project (or another tenant's), or no such version (or pruned)"},
                 {500, "ROLLBACK_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,
  };
}

}  // namespace remote_config::operations
