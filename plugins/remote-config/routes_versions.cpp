// Config versions: GET …/config/versions (newest first, in pages), GET
// …/config/versions/:version (what it changed and the config as it stood),
// POST …/config/versions/:version/rollback (that content current again, as
// a new version). A version's config is the current one with the changes
// of every later version taken back, so a write stores only what it changed.
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/time.hpp"
#include "change_set.hpp"
#include "config_writer.hpp"
#include "operations.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace remote_config {
namespace {

/// Pages of versions are ordered by the version number, newest first.
struct VersionKey {
  std::int64_t version = 0;
  json::array to_json() const { return {version}; }
  static std::optional<VersionKey> from_json(const json::array& a) {
    if (a.size() != 1 || !a[0].is_int64() || a[0].as_int64() < 1) return std::nullopt;
    return VersionKey{a[0].as_int64()};
  }
};

json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

/// A version as the API shows it; without `full`, each change without its before and after.
json::object version_json(const Store::Version& v, bool full) {
  json::array changes = json::parse(v.changes).as_array();
  if (!full)
    for (auto& c : changes) {
      c.as_object().erase("before");
      c.as_object().erase("after");
    }
  return {{"version", v.version},
          {"created_at", sdk::format_time(v.created_at)},
          {"principal", {{"user_id", text_or_null(v.user_id)},
                         {"credential_id", text_or_null(v.credential_id)},
                         {"credential_type", text_or_null(v.credential_type)}}},
          {"operation", v.operation},
          {"hash", v.hash},
          {"restored", v.restored ? json::value(*v.restored) : json::value(nullptr)},
          {"changes", std::move(changes)}};
}

std::int64_t version_param(const sdk::Request& req) { return std::stoll(req.param("version")); }  // the schema's pattern

ConfigState current_state(Store& store, soci::session& s, const std::string& project) {
  ConfigState state;
  for (auto& e : store.entries(s, project)) state.entries.emplace(e.key, e);
  for (auto& seg : store.segments(s, project)) state.segments.emplace(seg.name, seg);
  return state;
}

/// The config as it stood at `version` (which exists): `state`, the current one, with every later version
/// taken back.
ConfigState state_at(ConfigState state, Store& store, soci::session& s, const std::string& project,
                     std::int64_t version) {
  for (auto& later : store.versions_after(s, project, version)) undo(state, json::parse(later.changes).as_array());
  return state;
}

Store::Version existing_version(Store& store, soci::session& s, const std::string& project, std::int64_t version) {
  auto v = store.version(s, project, version);
  if (!v) throw sdk::ApiError::not_found("no config version " + std::to_string(version) + " (or it was pruned)");
  return *v;
}

/// Make `target` the project's content instead of `current`: what differs is written back, and recorded in
/// `changes`.
void restore(Store& store, soci::session& tx, const std::string& project, const ConfigState& current,
             const ConfigState& target, std::int64_t now, ChangeSet& changes) {
  for (auto& [name, seg] : target.segments) {
    auto it = current.segments.find(name);
    if (it != current.segments.end() && fingerprint(it->second) == fingerprint(seg) &&
        it->second.description == seg.description)
      continue;
    Segment restored = seg;
    restored.updated_at = now;
    store.save_segment(tx, project, restored, it != current.segments.end());
    changes.segment(it == current.segments.end() ? std::nullopt : std::optional(it->second), restored);
  }
  for (auto& [name, e] : target.entries) {
    auto it = current.entries.find(name);
    bool exists = it != current.entries.end();
    if (exists && json::serialize(conditions_json(it->second.conditions)) == json::serialize(conditions_json(e.conditions)) &&
        it->second.value == e.value && it->second.value_type == e.value_type && it->second.description == e.description)
      continue;
    Entry restored = e;
    restored.version = (exists ? it->second.version : e.version) + 1;  // like any write, the key's version moves on
    restored.updated_at = now;
    store.save_entry(tx, project, restored, exists);
    changes.key(exists ? std::optional(it->second) : std::nullopt, restored);
  }
  for (auto& [name, e] : current.entries)
    if (!target.entries.count(name)) {
      store.delete_entry(tx, project, name);
      changes.key(e, std::nullopt);
    }
  for (auto& [name, seg] : current.segments)
    if (!target.segments.count(name)) {
      store.delete_segment(tx, project, name);
      changes.segment(seg, std::nullopt);
    }
}

}  // namespace

void register_version_routes(sdk::Context& ctx, Store& store, ConfigWriter& writer) {
  const sdk::RouteGroup api{ctx, "/v1/admin/projects/:projectId/config/versions", {"remote_config"}};

  api.operation(operations::config_versions_list(), "GET", "", "config:read", "LIST_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        auto page = sdk::PageRequest<VersionKey>::from(req, {.default_limit = 50, .max_limit = 300});
        auto s = ctx.database().session();
        std::optional<std::int64_t> before;
        if (page.after) before = page.after->version;
        auto out = sdk::finish_page(page, store.versions(*s, project, before, page.fetch()),
                                    [](const Store::Version& v) { return VersionKey{v.version}; });
        json::array data;
        for (auto& v : out.items) data.push_back(version_json(v, false));
        auto r = sdk::paged_data(std::move(data), out.next_cursor);
        r.with_header("ETag", version_etag(store.head(*s, project).version));
        return r;
      });

  api.operation(operations::config_versions_get(), "GET", "/:version", "config:read", "GET_FAILED",
      [&ctx, &store](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::int64_t version = version_param(req);
        json::object out;
        // Under the project's lock: no write lands between the current state and the versions taken back.
        ctx.database().transaction([&](soci::session& tx) {
          ctx.database().lock_in_transaction(tx, "remote-config:" + project);
          out = version_json(existing_version(store, tx, project, version), true);
          ConfigState state = state_at(current_state(store, tx, project), store, tx, project, version);
          json::array keys, segments;
          for (auto& [name, e] : state.entries) keys.push_back(entry_json(e));
          for (auto& [name, seg] : state.segments) segments.push_back(segment_json(seg));
          out["config"] = {{"keys", std::move(keys)}, {"segments", std::move(segments)}};
        });
        return sdk::Response::data(std::move(out));
      });

  api.operation(operations::config_versions_rollback(), "POST", "/:version/rollback", "config:write",
                "ROLLBACK_FAILED", [&ctx, &store, &writer](const sdk::Request& req) {
        std::string project = project_of(ctx, req);
        std::int64_t target = version_param(req);
        auto version = writer.write(project, &req.caller(), "config_versions.rollback", if_match(req),
            [&](soci::session& tx, ChangeSet& changes) {
              existing_version(store, tx, project, target);
              ConfigState current = current_state(store, tx, project);
              ConfigState then = state_at(current, store, tx, project, target);
              restore(store, tx, project, current, then, ctx.clock().now_ms(), changes);
            },
            target);
        auto s = ctx.database().session();
        auto r = sdk::Response::data(version_json(existing_version(store, *s, project, version), false));
        r.with_header("ETag", version_etag(version));
        return r;
      });

  // The CLI: `ambit config versions list|get|rollback`, next to the config commands.
  ctx.add_cli_command({.operation = "config_versions.list", .words = "config versions list"});
  ctx.add_cli_command({.operation = "config_versions.get", .words = "config versions get"});
  ctx.add_cli_command({.operation = "config_versions.rollback", .words = "config versions rollback"});
}

}  // namespace remote_config
