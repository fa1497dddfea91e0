// The kernel's own routes: health, readiness, metrics, OpenAPI, plugin list.
#include <boost/json.hpp>

#include "app/application.hpp"
#include "ops/api_docs.hpp"
#include "operations/declared_operation.hpp"
#include "ops/openapi.hpp"

namespace ambit::kernel {

void Application::register_ops_routes() {
  auto& router = registry_.router;
  auto add = [&](std::string path, bool may_block, sdk::Operation op, sdk::Handler h) {
    sdk::RouteSpec r;
    r.method = "GET";
    r.path = std::move(path);
    r.auth = sdk::AuthMode::none;
    r.may_block = may_block;
    r.tags = {"ops"};
    r.handler = std::move(h);
    op.read_only = op.idempotent = true;
    add_operation(router, std::move(r), std::move(op), "kernel");
  };
  auto status = [](const char* values) {
    return sdk::schema(std::string(R"json({"type": "object", "required": ["status"], "properties": {"status": {"enum": )json") +
                       values + "}}}");
  };
  add("/healthz", false,
      {.id = "health.get", .title = "Check liveness", .description = "Answers 200 while the process serves.",
       .output = status(R"(["ok"])")},
      [](const sdk::Request&) {
    sdk::Response r;
    r.body = R"({"status":"ok"})";
    return r;
  });
  auto readiness = status(R"(["ready", "not_ready"])");
  readiness.as_object()["properties"].as_object()["checks"] = sdk::schema(R"json({"type": "object", "properties": {
      "database": {"enum": ["ok", "unreachable"]}, "plugins": {"enum": ["started", "not_started"]}}})json");
  add("/readyz", true,
      {.id = "readiness.get",
       .title = "Check readiness",
       .description = "200 when the database answers and every plugin has started; 503 (same body) otherwise.",
       .output = readiness},
      [this](const sdk::Request&) {
    bool db_ok = db_ && db_->ping();
    bool ready = ready_.load() && db_ok;
    return sdk::Response::json({{"status", ready ? "ready" : "not_ready"},
                                {"checks", {{"database", db_ok ? "ok" : "unreachable"},
                                            {"plugins", ready_.load() ? "started" : "not_started"}}}},
                               ready ? 200 : 503);
  });
  add("/metrics", false,
      {.id = "metrics.get",
       .title = "Read the metrics",
       .description = "Prometheus text exposition: requests and latency per route, connections, queues.",
       .output = sdk::schema(R"json({"type": "string"})json"),
       .output_media_type = "text/plain"},
      [this](const sdk::Request&) {
    sdk::Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = render_metrics();
    return r;
  });
  add("/openapi.json", false,
      {.id = "openapi.get",
       .title = "Get the OpenAPI document",
       .description = "This deployment's OpenAPI 3.1 document, built from every operation's declaration.",
       .output = sdk::schema(R"json({"type": "object", "required": ["openapi", "paths"]})json")},
      [this](const sdk::Request&) {
    // Routes are fixed once serving starts, so the document is built once.
    static std::once_flag once;
    std::call_once(once, [this] {
      std::map<std::string, std::string> scopes;
      for (auto& [name, info] : registry_.scopes) scopes[name] = info.description;
      openapi_cache_ = boost::json::serialize(build_openapi(registry_.router, config_.public_url, scopes));
    });
    sdk::Response r;
    r.body = openapi_cache_;
    return r;
  });
  register_api_docs_routes(router, config_.api_docs_dir, *log_);  // GET /docs (ops/api_docs.hpp)
  add("/v1/plugins", false,
      {.id = "plugins.list",
       .title = "List the plugins",
       .description = "The plugins this deployment loaded, with their versions and the SDK each was built on.",
       .output = sdk::data_of(sdk::schema(R"json({"type": "array", "items": {"type": "object",
           "required": ["name", "version", "status", "description", "sdk", "dependencies", "started"],
           "properties": {
             "name": {"type": "string"}, "version": {"type": "string"},
             "status": {"type": "string", "enum": ["stable", "alpha"]},
             "description": {"type": "string"},
             "sdk": {"type": "string", "description": "the SDK version the plugin was built against"},
             "dependencies": {"type": "array", "items": {"type": "string"}},
             "started": {"type": "boolean"}}}})json"))},
      [this](const sdk::Request&) {
    boost::json::array list;
    for (auto& p : host_.plugins()) {
      auto& d = p->library.descriptor;
      boost::json::array deps;
      for (auto& dep : d.dependencies) deps.push_back(boost::json::string(dep));
      list.push_back({{"name", d.name},
                      {"version", d.version},
                      {"status", d.status},
                      {"description", d.description},
                      {"sdk", std::to_string(d.sdk_major) + "." + std::to_string(d.sdk_minor) + "." +
                                  std::to_string(d.sdk_patch)},
                      {"dependencies", deps},
                      {"started", p->started}});
    }
    return sdk::Response::data(list);
  });
}

std::string Application::render_metrics() const {
  std::string out;
  out += "# HELP ambit_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE ambit_http_requests_total counter\n";
  out += "# HELP ambit_http_request_duration_seconds Request latency by route.\n";
  out += "# TYPE ambit_http_request_duration_seconds histogram\n";
  for (auto& r : registry_.router.routes()) render_route_metrics(out, r->spec.method, r->spec.path, *r->metrics);
  if (dispatcher_) render_route_metrics(out, "ANY", "(unmatched)", dispatcher_->unmatched_metrics());
  auto gauge = [&](const char* name, const char* help, long long v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
           std::to_string(v) + "\n";
  };
  auto counter = [&](const char* name, const char* help, unsigned long long v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
           std::to_string(v) + "\n";
  };
  if (server_) {
    gauge("ambit_http_connections_open", "Open client connections.", server_->open_connections());
    gauge("ambit_http_requests_in_flight", "Requests being handled.", server_->in_flight());
  }
  if (dispatcher_) gauge("ambit_handlers_running", "Route handlers running (worker pool and I/O threads).", dispatcher_->busy_workers());
  if (db_) {
    gauge("ambit_db_pool_in_use", "Database connections lent out.", db_->in_use());
    gauge("ambit_db_pool_size", "Database connections in the pool.", db_->size());
  }
  if (jobs_) {
    auto& s = jobs_->stats();
    counter("ambit_jobs_succeeded_total", "Jobs completed by this process.", s.succeeded.load());
    counter("ambit_jobs_failed_total", "Job attempts that failed in this process.", s.failed.load());
    counter("ambit_jobs_dead_total", "Jobs that exhausted their attempts in this process.", s.dead.load());
    gauge("ambit_jobs_running", "Jobs running in this process.", s.running.load());
  }
  if (audit_) {
    counter("ambit_audit_rows_written_total", "Audit rows written by this process.", audit_->written());
    counter("ambit_audit_rows_dropped_total", "Audit rows dropped because the queue was full (audit.on_overflow drop).",
            audit_->dropped());
    counter("ambit_audit_requests_rejected_total",
            "Requests answered 503 because the audit queue had no room (audit.on_overflow block or fail).",
            audit_->rejected());
    counter("ambit_audit_write_failures_total", "Audit batch writes that failed (retried).", audit_->flush_failures());
    gauge("ambit_audit_queued_rows", "Audit rows recorded and not yet committed.", static_cast<long long>(audit_->queued()));
    out += "# HELP ambit_audit_write_seconds_total Time spent writing audit batches.\n"
           "# TYPE ambit_audit_write_seconds_total counter\nambit_audit_write_seconds_total " +
           std::to_string(audit_->write_seconds()) + "\n";
    auto sinks = audit_->sink_stats();
    auto per_sink = [&](const char* name, const char* help, auto value) {
      if (sinks.empty()) return;
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
      for (auto& sink : sinks)
        out += std::string(name) + "{sink=\"" + prometheus_label(sink.name) + "\"} " + std::to_string(value(sink)) + "\n";
    };
    per_sink("ambit_audit_sink_rows_delivered_total", "Audit rows a sink accepted.",
             [](const AuditSinkStats& s) { return s.delivered; });
    per_sink("ambit_audit_sink_failures_total", "Sink writes that failed (retried after a backoff).",
             [](const AuditSinkStats& s) { return s.failures; });
    per_sink("ambit_audit_sink_rows_dropped_total", "Rows a sink lost because its backlog was full (the database has them).",
             [](const AuditSinkStats& s) { return s.dropped; });
  }
  gauge("ambit_plugins_loaded", "Plugins loaded.", static_cast<long long>(host_.plugins().size()));
  return out;
}

}  // namespace ambit::kernel
