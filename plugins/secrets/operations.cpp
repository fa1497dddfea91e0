#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace secrets::operations {
namespace {

// --- shared fragments: each fact once -------------------------------------------------------------

using sdk::described;
using sdk::with_properties;

/// `schema` (one type) that also takes null, described.
json::value or_null(json::value schema, std::string_view description) {
  return described(sdk::nullable(std::move(schema)), description);
}

/// The name rule (seed: "uppercase env-var shape").
json::value name() {
  return sdk::schema(R"json({"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,62}$", "examples": ["STRIPE_KEY"],
      "description": "the secret's name, also the environment binding the function sees: an upper-case letter, then up to 62 upper-case letters, digits or _"})json");
}

/// The function rule; the function need not exist or be deployed yet.
json::value function() {
  return sdk::schema(R"json({"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,57}$", "examples": ["billing"],
      "description": "a function name: a lower-case letter, then up to 57 lower-case letters, digits, _ or -"})json");
}

json::value project_params() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "projectId": {"type": "string", "description": "the project's id (prj_ followed by 24 hex characters)"}}})json");
}

/// :projectId and :name.
json::value secret_params(std::string_view what) {
  return with_properties(project_params(), {{"name", described(name(), what)}});
}

/// ?function= of the routes that address one secret.
json::object function_query(std::string_view description) { return {{"function", described(function(), description)}}; }

constexpr std::string_view kOneSecretFunction =
    "the function the secret is scoped to; leave it out for the project-wide secret of that name";

json::value time(std::string_view description) {
  return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}

/// A secret as every route returns it (routes.cpp secret_json): never its value.
json::value secret() {
  return with_properties(sdk::schema(R"json({"type": "object",
      "required": ["name", "function", "version", "sync_status", "last_error", "created_at", "updated_at"],
      "properties": {
        "function": {"type": ["string", "null"], "description": "the function it is scoped to; null: project-wide"},
        "version": {"type": "integer", "minimum": 1, "description": "1 when created, +1 on every set of the same name and function"},
        "sync_status": {"type": "string", "enum": ["pending", "syncing", "sync_failed_retrying", "synced"],
                        "description": "pending: not delivered yet; syncing: pending while the project's sync job runs; sync_failed_retrying: the last sync covering it failed and is retried (see last_error); synced: the runtime holds this version"},
        "last_error": {"type": ["string", "null"], "description": "why the last sync covering it failed, while sync_failed_retrying; null otherwise"}}})json"),
              {{"name", name()},
               {"created_at", time("when the secret was first set; kept by later sets")},
               {"updated_at", time("when the current version was set")}});
}

const sdk::ErrorCase kNoProject{404, "NOT_FOUND", "no such project, or another tenant's"};
const sdk::ErrorCase kReserved{400, "RESERVED_BINDING",
                               "the name is one the platform manages (AMBA_API_URL, AMBA_AI_GATEWAY_URL, AMBA_PROJECT_ID, "
                               "AMBA_INTERNAL_TOKEN, EDGE_HEADER_SIGNING_SECRET, STORAGE, EDGE_DB_PROXY); details.name"};

}  // namespace

sdk::Operation secrets_set(const Config& config) {
  std::string cap = std::to_string(config.max_value_bytes);
  return {
      .id = "secrets.set",
      .title = "Set or rotate a secret",
      .description = "Stores a credential a project's functions need (a third-party API key, a token, a signing secret), "
                     "encrypted at rest. Leave `function` out for a project-wide secret that every function receives, "
                     "also functions deployed later; give it to scope the secret to one function, which need not be "
                     "deployed yet. Setting a name that exists writes a new version. Either way a sync to the runtime "
                     "is scheduled: the function sees the value once sync_status reads synced (seconds). The value "
                     "is never returned, by this or any other operation.",
      .params = project_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "required": ["name", "value"], "additionalProperties": false,
                                   "properties": {}})json"),
                   {{"name", name()},
                    {"function", or_null(function(), "the function to scope the secret to; absent or null: project-wide")},
                    {"value", {{"type", "string"},
                               {"writeOnly", true},
                               {"description", "the value: at most " + cap + " bytes of UTF-8 (the operator's "
                                               "max_value_bytes); the empty string is allowed. Encode binary values "
                                               "(e.g. base64)"}}}}),
      .output = sdk::data_of(secret()),
      .statuses = {201, 200},
      .errors = {kNoProject,
                 kReserved,
                 {400, "INVALID_INPUT", "the value is larger than " + cap + " bytes (details.field value, details.max_bytes)"},
                 {500, "SET_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,  // a new version replaces a value nobody can read back
      .examples = sdk::schema(R"json({
          "body": {"name": "STRIPE_KEY", "value": "sk_test_123"},
          "output": {"data": {"name": "STRIPE_KEY", "function": null, "version": 1, "sync_status": "pending",
                              "last_error": null, "created_at": "2026-04-14T12:00:00.000Z",
                              "updated_at": "2026-04-14T12:00:00.000Z"}}})json"),
  };
}

sdk::Operation secrets_list() {
  return {
      .id = "secrets.list",
      .title = "List secrets",
      .description = "The project's secrets with their version and sync status, never their values: project-wide ones "
                     "(function null) first, then each function's, by name, in pages. With `function`, only the "
                     "secrets scoped to that function (not the project-wide ones it also receives).",
      .params = project_params(),
      .query = sdk::page_query(function_query("only the secrets scoped to this function")),
      .output = sdk::page_of(secret()),
      .errors = {kNoProject, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": [
          {"name": "STRIPE_KEY", "function": null, "version": 2, "sync_status": "synced", "last_error": null,
           "created_at": "2026-04-14T12:00:00.000Z", "updated_at": "2026-04-14T12:30:00.000Z"},
          {"name": "STRIPE_KEY", "function": "billing", "version": 1, "sync_status": "sync_failed_retrying",
           "last_error": "the webhook did not answer",
           "created_at": "2026-04-14T12:31:00.000Z", "updated_at": "2026-04-14T12:31:00.000Z"}],
          "next_cursor": null}})json"),
  };
}

sdk::Operation secrets_get() {
  return {
      .id = "secrets.get",
      .title = "Look up one secret's metadata",
      .description = "One secret's version and sync status, as secrets.list shows it; never its value. Without "
                     "`function` it is the project-wide secret of that name, with it the one scoped to that function.",
      .params = secret_params("the secret's name"),
      .query = json::object{{"type", "object"}, {"properties", function_query(kOneSecretFunction)}},
      .output = sdk::data_of(secret()),
      .errors = {{404, "NOT_FOUND", "no such project (or another tenant's), or no secret of that name and function"},
                 {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {"name": "STRIPE_KEY", "function": "billing", "version": 1,
          "sync_status": "synced", "last_error": null, "created_at": "2026-04-14T12:31:00.000Z",
          "updated_at": "2026-04-14T12:31:00.000Z"}}})json"),
  };
}

sdk::Operation secrets_delete() {
  return {
      .id = "secrets.delete",
      .title = "Delete a secret",
      .description = "Deletes one secret's value and sync record: the project-wide secret of that name, or with "
                     "`function` the one scoped to that function (the others of the same name stay). Deleting a "
                     "secret that does not exist succeeds the same way. The runtime keeps the binding until the "
                     "project's next sync: call secrets.resync to remove it at once.",
      .params = secret_params("the name of the secret to delete"),
      .query = json::object{{"type", "object"}, {"properties", function_query(kOneSecretFunction)}},
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["deleted", "name", "function"],
          "properties": {
            "deleted": {"const": true, "description": "always true, also when there was nothing to delete"},
            "name": {"type": "string", "description": "the name, as given"},
            "function": {"type": ["string", "null"], "description": "the function, as given; null: project-wide"}}})json")),
      .errors = {kNoProject, kReserved, {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
      .examples = sdk::schema(
          R"json({"output": {"data": {"deleted": true, "name": "STRIPE_KEY", "function": "billing"}}})json"),
  };
}

sdk::Operation secrets_resync() {
  return {
      .id = "secrets.resync",
      .title = "Sync a project's secrets again",
      .description = "Schedules a sync of every secret of the project to the runtime, which also removes the "
                     "bindings of deleted secrets (what a redeploy does). Answers at once with the sync job; the "
                     "secrets read synced when it is done. `function` is accepted and echoed, but the whole project "
                     "is synced, since a function's bindings include the project-wide secrets.",
      .params = project_params(),
      .query = json::object{{"type", "object"},
                            {"properties", function_query("echoed in the answer; the whole project is synced")}},
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["job_id", "function", "sync_status"],
          "properties": {
            "job_id": {"type": "string", "description": "the id of the scheduled sync job"},
            "function": {"type": ["string", "null"], "description": "the function given, or null"},
            "sync_status": {"const": "pending", "description": "the sync runs after this answer"}}})json")),
      .statuses = {202},
      .errors = {kNoProject, {500, "RESYNC_FAILED", "an unexpected failure; nothing was scheduled"}},
      .idempotent = true,
  };
}

}  // namespace secrets::operations
