#include "routes.hpp"

#include <algorithm>
#include <regex>

#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/projects.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace secrets {
namespace {

constexpr const char* kReserved[] = {"AMBA_API_URL",          "AMBA_AI_GATEWAY_URL", "AMBA_PROJECT_ID",
                                     "AMBA_INTERNAL_TOKEN",   "EDGE_HEADER_SIGNING_SECRET", "STORAGE",
                                     "EDGE_DB_PROXY"};

void check_name(const std::string& name) {
  static const std::regex valid("[A-Z][A-Z0-9_]{0,62}");
  if (!std::regex_match(name, valid))
    throw sdk::ApiError::invalid_input("name must match ^[A-Z][A-Z0-9_]{0,62}$", "name");
  if (std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved))
    throw sdk::ApiError(400, "RESERVED_BINDING", name + " is managed by the platform", {{"field", "name"}, {"name", name}});
}

/// "" for project-wide; 400 for a bad function name.
std::string check_function(const std::optional<std::string>& function) {
  static const std::regex valid("[a-z][a-z0-9_-]{0,57}");
  if (!function) return {};
  if (!std::regex_match(*function, valid))
    throw sdk::ApiError::invalid_input("function must match ^[a-z][a-z0-9_-]{0,57}$", "function");
  return *function;
}

json::object secret_json(const SecretRow& r, bool syncing) {
  std::string status = r.sync_status == "pending" && syncing ? "syncing" : r.sync_status;
  return {{"name", r.name},
          {"function", r.function.empty() ? json::value(nullptr) : json::value(r.function)},
          {"version", r.version},
          {"sync_status", status},
          {"last_error", r.last_error ? json::value(*r.last_error) : json::value(nullptr)},
          {"created_at", sdk::format_time(r.created_at)},
          {"updated_at", sdk::format_time(r.updated_at)}};
}

std::string project_of(sdk::Context& ctx, const sdk::Request& req) {
  return sdk::projects(ctx).resolve(req.caller(), req.param("projectId")).id;
}

}  // namespace

void register_routes(sdk::Context& ctx, const Config& config, Store& store, Syncer& syncer) {
  const sdk::RouteGroup api{ctx, "/v1/admin/projects/:projectId/secrets", {"secrets"}};
  api.add("POST", "", "secrets:write", "Set or rotate a secret (a new version; never returned)", "SET_FAILED",
      [&ctx, &config, &store, &syncer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        auto* name = body.if_contains("name");
        if (!name || !name->is_string()) throw sdk::ApiError::invalid_input("name is required", "name");
        SecretRow row;
        row.name = std::string(name->as_string());
        check_name(row.name);
        std::optional<std::string> function;
        if (auto* f = body.if_contains("function"); f && !f->is_null()) {
          if (!f->is_string()) throw sdk::ApiError::invalid_input("function must be a string", "function");
          function = std::string(f->as_string());
        }
        row.function = check_function(function);
        auto* value = body.if_contains("value");
        if (!value || !value->is_string()) throw sdk::ApiError::invalid_input("value must be a string", "value");
        if (value->as_string().size() > config.max_value_bytes)
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
          row.ciphertext = seal_value(key, value->as_string(), value_aad(project, row.function, row.name, row.version));
          row.sync_status = "pending";
          row.last_error.reset();
          store.save(tx, project, row, old.has_value());
          syncer.schedule(tx, project, false);
        });
        return sdk::Response::data(secret_json(row, false), created ? 201 : 200);
      });

  api.add("GET", "", "secrets:read",
      "List secrets in pages (?limit=, ?cursor=): name, function, version, sync status (never the value)",
      "LIST_FAILED", [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::optional<std::string> function;
        if (auto f = req.query("function")) function = check_function(f);
        auto page = sdk::PageRequest<SecretKey>::from(req);
        auto s = ctx.database().session();
        auto found = sdk::finish_page(page, store.list_page(*s, project, function, page.after, page.fetch()),
                                      [](const SecretRow& r) { return SecretKey{r.function, r.name}; });
        std::string job_id = store.job_id(*s, project);
        auto job = job_id.empty() ? std::nullopt : ctx.jobs().find_in(*s, job_id);
        bool syncing = job && job->status == "running";
        json::array out;
        for (auto& r : found.items) out.push_back(secret_json(r, syncing));
        return sdk::paged_data(std::move(out), found.next_cursor);
      });

  api.add("DELETE", "/:name", "secrets:write",
      "Delete a secret (idempotent); ?function= for a function's, else the project-wide one", "DELETE_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        const std::string& name = req.param("name");
        check_name(name);
        std::string function = check_function(req.query("function"));
        // The runtime keeps the binding until the project's next sync (a set or a resync), as the seed says.
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "secrets:" + project);
          store.remove(tx, project, function, name);
        });
        return sdk::Response::data({{"deleted", true},
                                    {"name", name},
                                    {"function", function.empty() ? json::value(nullptr) : json::value(function)}});
      });

  api.add("POST", "/resync", "secrets:write",
      "Sync every secret of the project again and remove bindings of deleted ones (a redeploy)", "RESYNC_FAILED",
      [&ctx, &syncer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::string function = check_function(req.query("function"));
        std::string job_id;
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "secrets:" + project);
          syncer.data_key(tx, project);
          job_id = syncer.schedule(tx, project, true);
        });
        return sdk::Response::data(
            {{"job_id", job_id},
             {"function", function.empty() ? json::value(nullptr) : json::value(function)},
             {"sync_status", "pending"}},
            202);
      });
}

}  // namespace secrets
