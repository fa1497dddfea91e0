#include "operations.hpp"

#include "schemas.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace projects::operations {

using namespace schemas;

namespace {

/// The 404 of every route with :projectId.
const sdk::ErrorCase kNoProject{404, "NOT_FOUND", "no such project, or another tenant's"};

/// archive and unarchive: the same shape.
sdk::Operation archiving(bool archive) {
  return {
      .id = archive ? "projects.archive" : "projects.unarchive",
      .title = archive ? "Archive a project" : "Unarchive a project",
      .description = archive ? "Puts a project aside without deleting it: its API keys are refused (401, reason "
                               "project_archived), reprovisioning and minting keys answer 409 ARCHIVED. It stays "
                               "listed and can still be changed, have keys revoked, be deleted or be unarchived. "
                               "Archiving an archived project changes nothing."
                             : "Reverses projects.archive: the keys that were not revoked work again. Unarchiving a "
                               "project that is not archived changes nothing.",
      .params = project_params(),
      .output = sdk::data_of(project()),
      .errors = {kNoProject, {500, archive ? "ARCHIVE_FAILED" : "UNARCHIVE_FAILED", "an unexpected failure"}},
      .idempotent = true,
  };
}

}  // namespace

sdk::Operation projects_create() {
  auto created = with_properties(sdk::schema(R"json({"type": "object",
      "required": ["id", "name", "developer_id", "bundle_id", "platform", "created_at"], "properties": {}})json"),
                      {{"id", project_id()},
                       {"name", name()},
                       {"developer_id", developer_id()},
                       {"bundle_id", bundle_id()},
                       {"platform", platform()},
                       {"created_at", sdk::date_time("creation time")}});
  auto keys = with_properties(sdk::schema(R"json({"type": "object", "required": ["client", "server"], "properties": {}})json"),
                   {{"client", minted_key()}, {"server", minted_key()}});
  auto output = with_properties(sdk::schema(R"json({"type": "object", "required": ["project", "api_keys", "provisioning_status"],
      "properties": {}})json"),
                     {{"project", std::move(created)},
                      {"api_keys", std::move(keys)},
                      {"provisioning_status",
                       {{"type", "string"},
                        {"enum", {"provisioning", "not_provisioned"}},
                        {"description", "provisioning: it runs in the background (poll "
                                        "projects.get_provisioning_status); not_provisioned: the operator turned "
                                        "auto_provision off (call projects.reprovision)"}}}});
  return {
      .id = "projects.create",
      .title = "Create a project",
      .description = "Creates a project in the caller's tenant with a first pair of API keys (one client, one server, "
                     "both development) and starts provisioning it in the background. The plaintext keys are in this "
                     "response only.",
      .body = with_properties(sdk::schema(R"json({"type": "object", "required": ["name"], "additionalProperties": false,
                                   "properties": {}})json"),
                   {{"name", name()},
                    {"bundle_id", bundle_id()},
                    {"platform", sdk::described(sdk::nullable(platform()), "ios, android or all (the default, also for null)")}}),
      .output = sdk::data_of(std::move(output)),
      .statuses = {201},
      .errors = {{500, "CREATE_FAILED", "an unexpected failure; nothing was written"}},
      .examples = sdk::schema(R"json({
          "body": {"name": "Demo", "bundle_id": "com.example.demo", "platform": "ios"},
          "output": {"data": {
            "project": {"id": "prj_803a9fe65ec0502bc7088c9e", "name": "Demo",
                        "developer_id": "3b0e6f0c-6f43-4d7e-9a55-0d1f2b7c9e21", "bundle_id": "com.example.demo",
                        "platform": "ios", "created_at": "2026-04-14T12:00:00.000Z"},
            "api_keys": {
              "client": {"id": "pk_ac222aa188811f63ab15d554", "key": "amb_client_ck_Dl7KYjnF80Dese34AgrYAu7GhtVskBq8",
                         "prefix": "amb_client_ck_Dl7KYjnF", "type": "client", "environment": "development"},
              "server": {"id": "pk_cb00282d5e88439b5b84e83c", "key": "amb_server_sk_77gfekQdOfnxQbxzO1v7rEgyv3GB7KK6",
                         "prefix": "amb_server_sk_77gfekQd", "type": "server", "environment": "development"}},
            "provisioning_status": "provisioning"}}})json"),
  };
}

sdk::Operation projects_list() {
  auto summary = with_properties(sdk::schema(R"json({"type": "object",
      "required": ["id", "name", "developer_id", "platform", "provisioning_status", "archived", "created_at"],
      "properties": {}})json"),
                      {{"id", project_id()},
                       {"name", name()},
                       {"developer_id", developer_id()},
                       {"platform", platform()},
                       {"provisioning_status", stored_status()},
                       {"archived", archived()},
                       {"created_at", sdk::date_time("creation time")}});
  return {
      .id = "projects.list",
      .title = "List projects",
      .description = "The caller's tenant's projects, newest first (archived ones included), in pages: pass "
                     "next_cursor as cursor for the next page.",
      .query = sdk::page_query(),
      .output = sdk::page_of(std::move(summary)),
      .errors = {{400, "INVALID_INPUT", "a cursor this list did not return (details.field: cursor)"},
                 {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": [
          {"id": "prj_803a9fe65ec0502bc7088c9e", "name": "Demo", "developer_id": "3b0e6f0c-6f43-4d7e-9a55-0d1f2b7c9e21",
           "platform": "ios", "provisioning_status": "active", "archived": false,
           "created_at": "2026-04-14T12:00:00.000Z"}], "next_cursor": null}})json"),
  };
}

sdk::Operation projects_get() {
  auto details = with_properties(project(), {{"api_keys", {{"type", "array"},
                                                {"items", listed_key()},
                                                {"description", "every key of the project, revoked ones too, "
                                                                "oldest first; prefixes only"}}},
                                  {"integrations", sdk::schema(R"json({"type": "array", "items": {"type": "object"},
                                      "description": "always empty: no plugin contributes integrations yet"})json")}});
  details.as_object()["required"].as_array().insert(details.as_object()["required"].as_array().end(),
                                                    {"api_keys", "integrations"});
  return {
      .id = "projects.get",
      .title = "Get a project",
      .description = "One project with every field, its API keys (prefixes only: never a key or its hash) and its "
                     "integrations.",
      .params = project_params(),
      .output = sdk::data_of(std::move(details)),
      .errors = {kNoProject, {500, "INTERNAL", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {
          "id": "prj_803a9fe65ec0502bc7088c9e", "name": "Demo", "developer_id": "3b0e6f0c-6f43-4d7e-9a55-0d1f2b7c9e21",
          "bundle_id": "com.example.demo", "platform": "ios", "environment": null, "provisioning_status": "active",
          "region": "local", "provisioned_at": "2026-04-14T12:00:00.412Z", "archived": false, "archived_at": null,
          "created_at": "2026-04-14T12:00:00.000Z", "updated_at": "2026-04-14T12:00:00.412Z",
          "api_keys": [{"id": "pk_ac222aa188811f63ab15d554", "key_prefix": "amb_client_ck_Dl7KYjnF",
                        "key_type": "client",
                        "environment": "development", "is_active": true, "created_at": "2026-04-14T12:00:00.000Z",
                        "revoked_at": null, "last_used_at": null}],
          "integrations": []}}})json"),
  };
}

sdk::Operation projects_update() {
  return {
      .id = "projects.update",
      .title = "Update a project",
      .description = "Changes the fields present in the body; absent fields keep their value, unknown ones are "
                     "ignored, null clears bundle_id and environment. A body with none of the four fields returns "
                     "the project unchanged.",
      .params = project_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "properties": {}})json"),
                   {{"name", name()},
                    {"bundle_id", bundle_id()},
                    {"platform", platform()},
                    {"environment", environment()}}),
      .output = sdk::data_of(project()),
      .errors = {kNoProject, {500, "UPDATE_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,
      .idempotent = true,
      .examples = sdk::schema(
          R"json({"body": {"name": "Demo (staging)", "environment": "staging", "bundle_id": null}})json"),
  };
}

sdk::Operation projects_delete() {
  return {
      .id = "projects.delete",
      .title = "Delete a project",
      .description = "Deletes the project record and all its API keys. Data other plugins keep for the project "
                     "(remote config, secrets, ...) is not removed.",
      .params = project_params(),
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["deleted"],
          "properties": {"deleted": {"const": true}}})json")),
      .errors = {kNoProject, {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {"deleted": true}}})json"),
  };
}

sdk::Operation project_keys_create() {
  return {
      .id = "project_keys.create",
      .title = "Mint a project API key",
      .description = "Mints an additional API key for the project. The plaintext key is in this response only.",
      .params = project_params(),
      .body = with_properties(sdk::schema(R"json({"type": "object", "required": ["key_type", "environment"],
                                   "additionalProperties": false, "properties": {}})json"),
                   {{"key_type", key_type()}, {"environment", key_environment()}}),
      .output = sdk::data_of(minted_key()),
      .statuses = {201},
      .errors = {kNoProject,
                 {409, "ARCHIVED", "the project is archived: unarchive it first"},
                 {500, "CREATE_FAILED", "an unexpected failure; no key was stored"}},
      .examples = sdk::schema(R"json({"body": {"key_type": "server", "environment": "production"},
          "output": {"data": {"id": "pk_cb3dbceff9f1b83292396bfc",
                              "key": "amb_server_sk_czwFlAPnfrQPZ8eedYlIDtKoK0Xmi9E8",
                              "prefix": "amb_server_sk_czwFlAPn", "type": "server",
                              "environment": "production"}}})json"),
  };
}

sdk::Operation project_keys_revoke() {
  return {
      .id = "project_keys.revoke",
      .title = "Revoke a project API key",
      .description = "Deactivates a key: from its next use it is refused (401, reason revoked). It stays listed in "
                     "projects.get. Revoking a revoked key answers 200 again.",
      .params = with_properties(project_params(), {{"keyId", sdk::schema(R"json({"type": "string",
                         "description": "the key's id (pk_...), as projects.get lists it"})json")}}),
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["revoked"],
          "properties": {"revoked": {"const": true}}})json")),
      .errors = {{404, "NOT_FOUND", "no such project (or another tenant's), or no key with that id in it"},
                 {500, "REVOKE_FAILED", "an unexpected failure; nothing was changed"}},
      .destructive = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {"revoked": true}}})json"),
  };
}

sdk::Operation projects_reprovision() {
  return {
      .id = "projects.reprovision",
      .title = "Reprovision a project",
      .description = "Re-drives provisioning of a project that is not_provisioned, failed or stalled. A repeat while "
                     "that job has not finished joins it (collapsed: true) instead of starting another.",
      .params = project_params(),
      .output = sdk::data_of(sdk::schema(R"json({"type": "object", "required": ["projectId", "job_id", "status"],
          "properties": {
            "projectId": {"type": "string", "description": "the project"},
            "job_id": {"type": "string", "description": "reprovision-<project id>-<ms>"},
            "status": {"const": "provisioning"},
            "collapsed": {"const": true,
                          "description": "present when this call joined a running reprovision"}}})json")),
      .errors = {kNoProject,
                 {409, "ARCHIVED", "the project is archived"},
                 {409, "ALREADY_ACTIVE", "the project is active; reprovision is not permitted"},
                 {409, "PROVISIONING_IN_PROGRESS", "a job is running (details.job_id, details.status)"},
                 {500, "REPROVISION_FAILED", "an unexpected failure; nothing was changed"}},
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {"projectId": "prj_803a9fe65ec0502bc7088c9e",
          "job_id": "reprovision-prj_803a9fe65ec0502bc7088c9e-1776168000000", "status": "provisioning"}}})json"),
  };
}

sdk::Operation projects_get_provisioning_status() {
  auto status = with_properties(sdk::schema(R"json({"type": "object",
      "required": ["projectId", "status", "provisioned_at", "region", "job_id", "archived"],
      "properties": {
        "projectId": {"type": "string", "description": "the project"},
        "status": {"type": "string", "enum": ["not_provisioned", "provisioning", "active", "failed"],
                   "description": "failed also when the job stopped after repeated errors"},
        "region": {"type": ["string", "null"],
                   "description": "where provisioning runs or ran; null while not_provisioned"},
        "job_id": {"type": ["string", "null"], "description": "the latest provisioning job; null before the first"},
        "error": {"type": "object", "required": ["step", "message"], "description": "only when status is failed",
                  "properties": {"step": {"type": ["string", "null"], "description": "the lifecycle step that failed"},
                                 "message": {"type": ["string", "null"]}}}}})json"),
                     {{"provisioned_at", time_or_null("when the project became active; null before")},
                      {"archived", archived()}});
  return {
      .id = "projects.get_provisioning_status",
      .title = "Get a project's provisioning status",
      .description = "The project's provisioning state; safe to poll every few seconds.",
      .params = project_params(),
      .output = sdk::data_of(std::move(status)),
      .errors = {kNoProject, {500, "PROVISIONING_STATUS_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"data": {
          "projectId": "prj_803a9fe65ec0502bc7088c9e", "status": "active",
          "provisioned_at": "2026-04-14T12:00:00.412Z", "region": "local",
          "job_id": "provision-prj_803a9fe65ec0502bc7088c9e", "archived": false}}})json"),
  };
}

sdk::Operation projects_archive() { return archiving(true); }
sdk::Operation projects_unarchive() { return archiving(false); }

}  // namespace projects::operations
