#include "routes.hpp"

#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"
#include "ambit/sdk/tokens.hpp"
#include "caches.hpp"
#include "key_format.hpp"
#include "operations.hpp"
#include "views.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace projects {
namespace {

/// The caller's project, or 404 (another tenant's too).
ProjectRecord owned(Store& store, soci::session& s, const sdk::Request& req) {
  auto p = store.find_project(s, req.param("projectId"));
  if (!p || p->tenant_id != req.caller().tenant_id) throw sdk::ApiError::not_found("no such project");
  return std::move(*p);
}

/// A text field of a body the operation's schema has checked: nullopt when absent or null.
std::optional<std::string> text_or_null(const json::object& body, std::string_view field) {
  auto* v = body.if_contains(field);
  if (!v || v->is_null()) return std::nullopt;
  return std::string(v->as_string());
}

struct Minted {
  std::string key;
  ProjectKey record;
};

Minted mint(sdk::Context& ctx, Store& store, soci::session& tx, const std::string& project_id, std::string key_type,
            std::string environment) {
  Minted m;
  m.key = generate_key(ctx.keyring(), key_type);
  m.record.id = sdk::random_id(ctx.keyring(), "pk_");
  m.record.project_id = project_id;
  m.record.key_prefix = display_prefix(m.key);
  m.record.key_type = std::move(key_type);
  m.record.environment = std::move(environment);
  m.record.created_at = ctx.clock().now_ms();
  store.insert_key(tx, m.record, hash_key(ctx.keyring(), m.key));
  return m;
}

json::object conflict_details(const ProjectRecord& p) {
  return {{"current_status", p.status}, {"archived", p.archived_at.has_value()}};
}

}  // namespace

void register_routes(sdk::Context& ctx, const Config& config, Store& store, Provisioner& provisioner) {
  const sdk::RouteGroup api{ctx, "/v1/admin/projects", {"projects"}};
  // The kernel checks each route's input against its operation (operations.cpp) before the handler runs.
  api.operation(operations::projects_create(), "POST", "", "projects:write", "CREATE_FAILED",
      [&ctx, &config, &store, &provisioner](const sdk::Request& req) {
        auto body = req.json_object();
        ProjectRecord p;
        p.name = std::string(body.at("name").as_string());
        p.bundle_id = text_or_null(body, "bundle_id");
        if (auto platform = text_or_null(body, "platform")) p.platform = *platform;
        p.tenant_id = req.caller().tenant_id;
        p.id = sdk::random_id(ctx.keyring(), "prj_");
        p.created_at = p.updated_at = ctx.clock().now_ms();
        Minted client, server;
        ctx.database().transaction([&](soci::session& tx) {
          store.insert_project(tx, p);
          client = mint(ctx, store, tx, p.id, "client", "development");
          server = mint(ctx, store, tx, p.id, "server", "development");
          if (config.auto_provision)
            provisioner.start(tx, p.id, "provision-" + p.id, p.created_at);  // publishes the change
          else
            ctx.events().publish(tx, sdk::kProjectChangedTopic, p.id);
        });
        json::object project{{"id", p.id},
                             {"name", p.name},
                             {"developer_id", p.tenant_id},
                             {"bundle_id", p.bundle_id ? json::value(*p.bundle_id) : json::value(nullptr)},
                             {"platform", p.platform},
                             {"created_at", sdk::format_time(p.created_at)}};
        json::object keys{{"client", minted_key_json(client.key, client.record)},
                          {"server", minted_key_json(server.key, server.record)}};
        return sdk::Response::data({{"project", project},
                                    {"api_keys", keys},
                                    {"provisioning_status", config.auto_provision ? "provisioning" : "not_provisioned"}},
                                   201);
      });

  api.operation(operations::projects_list(), "GET", "", "projects:read", "LIST_FAILED",
      [&store](const sdk::Request& req) {
        auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
        auto found = sdk::finish_page(page, store.list_projects(req.caller().tenant_id, page.after, page.fetch()),
                                      [](const ProjectRecord& p) { return sdk::TimeIdKey{p.created_at, p.id}; });
        json::array list;
        for (auto& p : found.items) list.push_back(project_summary_json(p));
        return sdk::paged_data(std::move(list), found.next_cursor);
      });

  api.operation(operations::projects_get(), "GET", "/:projectId", "projects:read", "INTERNAL",
      [&ctx, &store](const sdk::Request& req) {
        auto s = ctx.database().session();
        auto p = owned(store, *s, req);
        auto out = project_json(p);
        json::array keys;
        for (auto& k : store.list_keys(*s, p.id)) keys.push_back(key_json(k));
        out["api_keys"] = std::move(keys);
        out["integrations"] = json::array();  // none until a plugin contributes one
        return sdk::Response::data(std::move(out));
      });

  api.operation(operations::projects_update(), "PATCH", "/:projectId", "projects:write", "UPDATE_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        auto body = req.json_object();  // unknown fields are ignored
        auto name = text_or_null(body, "name"), platform = text_or_null(body, "platform");
        bool has_bundle = body.contains("bundle_id"), has_env = body.contains("environment");
        auto bundle = text_or_null(body, "bundle_id");
        auto environment = text_or_null(body, "environment");
        ProjectRecord p;
        ctx.database().transaction([&](soci::session& tx) {
          p = owned(store, tx, req);
          if (!name && !platform && !has_bundle && !has_env) return;  // a no-op returns the row
          if (name) p.name = *name;
          if (platform) p.platform = *platform;
          if (has_bundle) p.bundle_id = bundle;
          if (has_env) p.environment = environment;
          p.updated_at = ctx.clock().now_ms();
          store.update_details(tx, p);
          ctx.events().publish(tx, sdk::kProjectChangedTopic, p.id);
        });
        return sdk::Response::data(project_json(p));
      });

  api.operation(operations::projects_delete(), "DELETE", "/:projectId", "projects:write", "DELETE_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        ctx.database().transaction([&](soci::session& tx) {
          auto p = owned(store, tx, req);
          store.delete_project(tx, p.id);
          ctx.events().publish(tx, sdk::kProjectChangedTopic, p.id);
        });
        // Its own transaction, after the deletion committed: subscribers
        // remove the project's files, which must not happen for a rollback.
        const std::string id(req.param("projectId"));
        ctx.database().transaction(
            [&](soci::session& tx) { ctx.events().publish(tx, kProjectDeletedTopic, id); });
        return sdk::Response::data({{"deleted", true}});
      });

  api.operation(operations::project_keys_create(), "POST", "/:projectId/api-keys", "projects:write", "CREATE_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        auto body = req.json_object();
        std::string key_type(body.at("key_type").as_string());
        std::string environment(body.at("environment").as_string());
        Minted m;
        ctx.database().transaction([&](soci::session& tx) {
          auto p = owned(store, tx, req);
          if (p.archived_at)
            throw sdk::ApiError::conflict("ARCHIVED", "archived projects cannot mint keys", conflict_details(p));
          m = mint(ctx, store, tx, p.id, key_type, environment);
        });
        return sdk::Response::data(minted_key_json(m.key, m.record), 201);
      });

  api.operation(operations::project_keys_revoke(), "DELETE", "/:projectId/api-keys/:keyId", "projects:write",
      "REVOKE_FAILED", [&ctx, &store](const sdk::Request& req) {
        const std::string& key_id = req.param("keyId");
        ctx.database().transaction([&](soci::session& tx) {
          auto p = owned(store, tx, req);
          if (!store.deactivate_key(tx, p.id, key_id, ctx.clock().now_ms()))
            throw sdk::ApiError::not_found("no such API key");
          ctx.events().publish(tx, kKeyChangedTopic, key_id);
          // A change to the project too: what holds the key's sessions open (config streams) ends them now.
          ctx.events().publish(tx, sdk::kProjectChangedTopic, p.id);
        });
        return sdk::Response::data({{"revoked", true}});
      });

  api.operation(operations::projects_reprovision(), "POST", "/:projectId/reprovision", "projects:write",
      "REPROVISION_FAILED", [&provisioner](const sdk::Request& req) {
        const std::string& id = req.param("projectId");
        auto outcome = provisioner.reprovision(req.caller().tenant_id, id);
        json::object out{{"projectId", id}, {"job_id", outcome.job_id}, {"status", "provisioning"}};
        if (outcome.collapsed) out["collapsed"] = true;
        return sdk::Response::data(std::move(out));
      });

  api.operation(operations::projects_get_provisioning_status(), "GET", "/:projectId/provisioning-status",
      "projects:read", "PROVISIONING_STATUS_FAILED", [&ctx, &store, &provisioner](const sdk::Request& req) {
        auto s = ctx.database().session();
        auto p = owned(store, *s, req);
        auto v = provisioner.view(*s, p.id);
        if (!v) throw sdk::ApiError::not_found("no such project");
        return sdk::Response::data(provisioning_json(*v));
      });

  for (bool archive : {true, false}) {
    api.operation(archive ? operations::projects_archive() : operations::projects_unarchive(), "POST",
        archive ? "/:projectId/archive" : "/:projectId/unarchive", "projects:write",
        archive ? "ARCHIVE_FAILED" : "UNARCHIVE_FAILED", [&ctx, &store, archive](const sdk::Request& req) {
          ProjectRecord p;
          ctx.database().transaction([&](soci::session& tx) {
            p = owned(store, tx, req);
            if (p.archived_at.has_value() == archive) return;  // already there: idempotent
            p.updated_at = ctx.clock().now_ms();
            p.archived_at = archive ? std::optional<std::int64_t>(p.updated_at) : std::nullopt;
            store.set_archived(tx, p.id, p.archived_at, p.updated_at);
            ctx.events().publish(tx, sdk::kProjectChangedTopic, p.id);
          });
          return sdk::Response::data(project_json(p));
        });
  }
  // A created project provisions in the background: a client that wants to
  // wait (an MCP call with a progress token) follows its status.
  ctx.add_completion({.operation = "projects.create",
                      .poll = "projects.get_provisioning_status",
                      .arguments = {{"projectId", "/output/data/project/id"}},
                      .status = "/data/status",
                      .pending = {"provisioning"}});
  ctx.add_completion({.operation = "projects.reprovision",
                      .poll = "projects.get_provisioning_status",
                      .arguments = {{"projectId", "/input/projectId"}},
                      .status = "/data/status",
                      .pending = {"provisioning"}});
  for (const char* op : {"projects.create", "projects.reprovision"})
    ctx.add_completion_failure({.operation = op, .statuses = {"failed"}, .reason = "/data/error/message"});
  // The CLI: `ambit projects keys create`, next to the project commands.
  ctx.add_cli_command({.operation = "project_keys.create", .words = "projects keys create"});
  ctx.add_cli_command({.operation = "project_keys.revoke", .words = "projects keys revoke"});
}

}  // namespace projects
