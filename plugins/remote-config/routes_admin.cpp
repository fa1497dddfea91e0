#include "ambit/sdk/projects.hpp"
#include "ambit/sdk/routes.hpp"
#include "operations.hpp"
#include "config_writer.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {
namespace {

/// `r` with the config version now current as its ETag.
sdk::Response versioned(sdk::Response r, std::int64_t version) {
  r.with_header("ETag", version_etag(version));
  return r;
}

/// The description of a body the operation's schema has checked: nullopt when absent or null.
std::optional<std::string> optional_description(const json::object& body) {
  auto* d = body.if_contains("description");
  if (!d || d->is_null()) return std::nullopt;
  return std::string(d->as_string());
}

/// A body's conditions (checked by the schema; null means none) against the value type and the segments.
std::vector<Condition> conditions_of(const json::value& conditions, const std::string& value_type,
                                     const std::set<std::string>& segments, const Config& config) {
  if (conditions.is_null()) return {};
  return parse_conditions(conditions.as_array(), value_type, segments, config.max_value_bytes);
}

}  // namespace

std::string project_of(sdk::Context& ctx, const sdk::Request& req) {
  return sdk::projects(ctx).resolve(req.caller(), req.param("projectId")).id;
}

std::optional<std::string> if_match(const sdk::Request& req) {
  auto h = req.header("If-Match");
  return h ? std::optional<std::string>(std::string(*h)) : std::nullopt;
}

void seed_system_segments(ConfigWriter& writer, const std::string& project_id, soci::session& tx) {
  // The project's first write seeds them; a project that has them already changes nothing.
  writer.write_in(tx, project_id, nullptr, "projects.provision", std::nullopt, [](soci::session&, ChangeSet&) {});
}

void register_admin_routes(sdk::Context& ctx, const Config& config, Store& store, ConfigWriter& writer) {
  const sdk::RouteGroup api{ctx, "/v1/admin/projects/:projectId", {"remote_config"}};
  // The kernel checks each route's input against its operation (operations.cpp) before the handler
  // runs; the handlers check what a schema cannot: value types, sizes, segments, the project.
  // --- config entries ------------------------------------------------------------------------------
  api.operation(operations::config_set(), "POST", "/config", "config:write", "SET_FAILED",
      [&ctx, &config, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        Entry e;
        e.key = std::string(body.at("key").as_string());
        if (auto* t = body.if_contains("value_type")) e.value_type = std::string(t->as_string());
        check_value(body.at("value"), e.value_type, "value", config.max_value_bytes);
        e.value = body.at("value");
        e.description = optional_description(body);
        auto version = writer.write(project, &req.caller(), "config.set", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          if (auto* conditions = body.if_contains("conditions"))
            e.conditions = conditions_of(*conditions, e.value_type, store.segment_names(tx, project), config);
          auto old = store.entry(tx, project, e.key);
          e.updated_at = ctx.clock().now_ms();
          e.created_at = old ? old->created_at : e.updated_at;
          e.version = old ? old->version + 1 : 1;
          if (!old && store.count_entries(tx, project) >= config.max_keys)
            throw sdk::ApiError::conflict("KEY_LIMIT", "this project has the most config keys allowed",
                                          {{"max_keys", config.max_keys}});
          store.save_entry(tx, project, e, old.has_value());
          changes.key(old, e);
        });
        return versioned(sdk::Response::data(entry_json(e), 201), version);
      });

  api.operation(operations::config_list(), "GET", "/config", "config:read", "LIST_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto s = ctx.database().session();
        json::array rows;
        for (auto& e : store.entries(*s, project)) rows.push_back(entry_json(e));
        // The config version: what a write sends back as If-Match.
        return versioned(sdk::Response::data(std::move(rows)), store.head(*s, project).version);
      });

  api.operation(operations::config_update(), "PATCH", "/config/:key", "config:write", "UPDATE_FAILED",
      [&ctx, &config, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        Entry e;
        auto version = writer.write(project, &req.caller(), "config.update", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          auto old = store.entry(tx, project, req.param("key"));
          if (!old) throw sdk::ApiError::not_found("no such config key");
          e = *old;
          bool changed = false;
          if (auto* value = body.if_contains("value")) {
            check_value(*value, e.value_type, "value", config.max_value_bytes);
            e.value = *value;
            ++e.version;
            changed = true;
          }
          if (body.contains("description")) {
            e.description = optional_description(body);
            changed = true;
          }
          if (auto* conditions = body.if_contains("conditions")) {
            e.conditions = conditions_of(*conditions, e.value_type, store.segment_names(tx, project), config);
            changed = true;
          }
          if (!changed) return;
          e.updated_at = ctx.clock().now_ms();
          store.save_entry(tx, project, e, true);
          changes.key(old, e);
        });
        return versioned(sdk::Response::data(entry_json(e)), version);
      });

  api.operation(operations::config_delete(), "DELETE", "/config/:key", "config:write", "DELETE_FAILED",
      [&ctx, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto version = writer.write(project, &req.caller(), "config.delete", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          auto old = store.entry(tx, project, req.param("key"));
          if (!old) throw sdk::ApiError::not_found("no such config key");
          store.delete_entry(tx, project, old->key);
          changes.key(old, std::nullopt);
        });
        return versioned(sdk::Response::data({{"deleted", true}, {"key", req.param("key")}}), version);
      });

  // --- segments ------------------------------------------------------------------------------------
  api.operation(operations::segments_list(), "GET", "/segments", "config:read", "LIST_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto s = ctx.database().session();
        json::array rows;
        for (auto& seg : store.segments(*s, project)) rows.push_back(segment_json(seg));
        return sdk::Response::data(std::move(rows));
      });

  api.operation(operations::segments_create(), "POST", "/segments", "config:write", "SET_FAILED",
      [&ctx, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        Segment seg;
        seg.name = std::string(body.at("name").as_string());
        apply_segment_body(seg, body);
        auto version = writer.write(project, &req.caller(), "segments.create", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          if (store.segment(tx, project, seg.name))
            throw sdk::ApiError::conflict("SEGMENT_EXISTS", "a segment with this name exists", {{"name", seg.name}});
          seg.created_at = seg.updated_at = ctx.clock().now_ms();
          store.save_segment(tx, project, seg, false);
          changes.segment(std::nullopt, seg);
        });
        return versioned(sdk::Response::data(segment_json(seg), 201), version);
      });

  api.operation(operations::segments_update(), "PATCH", "/segments/:name", "config:write", "UPDATE_FAILED",
      [&ctx, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto body = req.json_object();
        Segment seg;
        auto version = writer.write(project, &req.caller(), "segments.update", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          auto old = store.segment(tx, project, req.param("name"));
          if (!old) throw sdk::ApiError::not_found("no such segment");
          if (old->is_system)
            throw sdk::ApiError::conflict("SYSTEM_SEGMENT", "system segments cannot be changed", {{"name", old->name}});
          seg = *old;
          if (!body.contains("description") && !body.contains("match") && !body.contains("rules")) return;
          apply_segment_body(seg, body);
          seg.updated_at = ctx.clock().now_ms();
          store.save_segment(tx, project, seg, true);
          changes.segment(old, seg);
        });
        return versioned(sdk::Response::data(segment_json(seg)), version);
      });

  api.operation(operations::segments_delete(), "DELETE", "/segments/:name", "config:write", "DELETE_FAILED",
      [&ctx, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        const std::string& name = req.param("name");
        auto version = writer.write(project, &req.caller(), "segments.delete", if_match(req), [&](soci::session& tx, ChangeSet& changes) {
          auto seg = store.segment(tx, project, name);
          if (!seg) throw sdk::ApiError::not_found("no such segment");
          if (seg->is_system)
            throw sdk::ApiError::conflict("SYSTEM_SEGMENT", "system segments cannot be deleted", {{"name", name}});
          json::array users;
          for (auto& e : store.entries(tx, project))
            for (auto& c : e.conditions)
              if (c.segment == name) {
                users.emplace_back(e.key);
                break;
              }
          if (!users.empty())
            throw sdk::ApiError::conflict("SEGMENT_IN_USE", "conditions still use this segment",
                                          {{"name", name}, {"keys", users}});
          store.delete_segment(tx, project, name);
          changes.segment(seg, std::nullopt);
        });
        return versioned(sdk::Response::data({{"deleted", true}, {"name", name}}), version);
      });
  ctx.add_cli_command({.operation = "config.set", .positional = {"key", "value"}});
}

}  // namespace remote_config
