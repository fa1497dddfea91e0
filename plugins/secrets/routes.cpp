#include "routes.hpp"

#include <algorithm>

#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/projects.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"
#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace secrets {
namespace {

constexpr const char* kReserved[] = {"AMBA_API_URL",          "AMBA_AI_GATEWAY_URL", "AMBA_PROJECT_ID",
                                     "AMBA_INTERNAL_TOKEN",   "EDGE_HEADER_SIGNING_SECRET", "STORAGE",
                                     "EDGE_DB_PROXY"};

/// 400 RESERVED_BINDING for a name the platform manages. The name's shape is
/// checked by the operation's schema (operations.cpp) before a handler runs.
void check_not_reserved(const std::string& name) {
  if (std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved))
    throw sdk::ApiError(400, "RESERVED_BINDING", name + " is managed by the platform", {{"field", "name"}, {"name", name}});
}

/// ?function= (its shape checked by the schema): "" for project-wide.
std::string function_of(const sdk::Request& req) { return req.query("function").value_or(""); }

json::value function_json(const std::string& function) {
  return function.empty() ? json::value(nullptr) : json::value(function);
}

json::object secret_json(const SecretRow& r, bool syncing) {
  std::string status = r.sync_status == "pending" && syncing ? "syncing" : r.sync_status;
  return {{"name", r.name},
          {"function", function_json(r.function)},
          {"version", r.version},
          {"sync_status", status},
          {"last_error", r.last_error ? json::value(*r.last_error) : json::value(nullptr)},
          {"created_at", sdk::format_time(r.created_at)},
          {"updated_at", sdk::format_time(r.updated_at)}};
}

std::string project_of(sdk::Context& ctx, const sdk::Request& req) {
  return sdk::projects(ctx).resolve(req.caller(), req.param("projectId")).id;
}

/// Whether the project's most recently scheduled sync job is running: a
/// pending secret then reads "syncing".
bool sync_running(sdk::Context& ctx, Store& store, soci::session& s, const std::string& project) {
  std::string job_id = store.job_id(s, project);
  auto job = job_id.empty() ? std::nullopt : ctx.jobs().find_in(s, job_id);
  return job && job->status == "running";
}

}  // namespace

// The kernel checks each route's input against its operation (operations.cpp) before the handler runs.
void register_routes(sdk::Context& ctx, const Config& config, Store& store, Syncer& syncer) {
  const sdk::RouteGroup api{ctx, "/v1/admin/projects/:projectId/secrets", {"secrets"}};
  api.operation(operations::secrets_set(config), "POST", "", "secrets:write", "SET_FAILED",
      [&ctx, &config, &store, &syncer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        SecretRow row;
        row.name = std::string(body.at("name").as_string());
        check_not_reserved(row.name);
        if (auto* f = body.if_contains("function"); f && !f->is_null()) row.function = std::string(f->as_string());
        const json::string& value = body.at("value").as_string();
        if (value.size() > config.max_value_bytes)  // a cap in bytes, which a schema cannot state
          throw sdk::ApiError(400, "INVALID_INPUT",
                              "value is larger than " + std::to_string(config.max_value_bytes) + " bytes",
                              {{"field", "value"}, {"max_bytes", config.max_value_bytes}});
        bool created = false;
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "secrets:" + project);  // versions and the data key, one writer
          DataKey key = syncer.data_key(tx, project);
          auto old = store.find(tx, project, row.function, row.name);
          created = !old;
          std::int64_t now = ctx.clock().now_ms();
          row.version = old ? old->version + 1 : 1;
          row.created_at = old ? old->created_at : now;
          row.updated_at = now;
          row.change_seq = store.next_change(tx, project);
          row.ciphertext = seal_value(key, value, value_aad(project, row.function, row.name, row.version));
          row.sync_status = "pending";
          row.last_error.reset();
          store.save(tx, project, row, old.has_value());
          syncer.schedule(tx, project, false);
        });
        return sdk::Response::data(secret_json(row, false), created ? 201 : 200);
      });

  api.operation(operations::secrets_list(), "GET", "", "secrets:read", "LIST_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::optional<std::string> function = req.query("function");
        auto page = sdk::PageRequest<SecretKey>::from(req);
        auto s = ctx.database().session();
        auto found = sdk::finish_page(page, store.list_page(*s, project, function, page.after, page.fetch()),
                                      [](const SecretRow& r) { return SecretKey{r.function, r.name}; });
        bool syncing = sync_running(ctx, store, *s, project);
        json::array out;
        for (auto& r : found.items) out.push_back(secret_json(r, syncing));
        return sdk::paged_data(std::move(out), found.next_cursor);
      });

  api.operation(operations::secrets_get(), "GET", "/:name", "secrets:read", "GET_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto s = ctx.database().session();
        auto row = store.find(*s, project, function_of(req), req.param("name"));
        if (!row) throw sdk::ApiError::not_found("no secret of that name and function");
        return sdk::Response::data(secret_json(*row, sync_running(ctx, store, *s, project)));
      });

  api.operation(operations::secrets_delete(), "DELETE", "/:name", "secrets:write", "DELETE_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        const std::string& name = req.param("name");
        check_not_reserved(name);
        std::string function = function_of(req);
        // The runtime keeps the binding until the project's next sync (a set or a resync), as the seed says.
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "secrets:" + project);
          store.remove(tx, project, function, name);
        });
        return sdk::Response::data({{"deleted", true}, {"name", name}, {"function", function_json(function)}});
      });

  api.operation(operations::secrets_resync(), "POST", "/resync", "secrets:write", "RESYNC_FAILED",
      [&ctx, &syncer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::string function = function_of(req);
        std::string job_id;
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "secrets:" + project);
          syncer.data_key(tx, project);
          job_id = syncer.schedule(tx, project, true);
        });
        return sdk::Response::data({{"job_id", job_id}, {"function", function_json(function)}, {"sync_status", "pending"}},
                                   202);
      });
  // A set secret reaches the runtime after the answer, once synced (a failed
  // sync is retried, so it is still on its way).
  ctx.add_completion({.operation = "secrets.set",
                      .poll = "secrets.get",
                      .arguments = {{"projectId", "/input/projectId"}, {"name", "/input/name"}, {"function", "/input/function"}},
                      .status = "/data/sync_status",
                      .pending = {"pending", "syncing", "sync_failed_retrying"}});
  // A failed sync is retried, but a client waiting for it should hear why now.
  ctx.add_completion_failure(
      {.operation = "secrets.set", .statuses = {"sync_failed_retrying"}, .reason = "/data/last_error"});
  ctx.add_cli_command({.operation = "secrets.set", .positional = {"name", "value"}});
}

}  // namespace secrets
