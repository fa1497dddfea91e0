#include "ambit/sdk/projects.hpp"
#include "ambit/sdk/routes.hpp"
#include "client_context.hpp"
#include "entity_tags.hpp"
#include "operations.hpp"
#include "routes.hpp"
#include "stream_hub.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {

namespace {

void require_active(const sdk::ProjectInfo& project) {
  if (project.status != "active")
    throw sdk::ApiError(503, "PROJECT_NOT_ACTIVE", "the project is not active yet; retry later",
                        {{"status", project.status}});
}

}  // namespace

void register_client_routes(sdk::Context& ctx, ConfigCache& cache, StreamHub& hub) {
  sdk::RouteSpec r;
  r.method = "GET";
  r.path = "/v1/client/config";
  r.tags = {"remote_config"};
  r.may_block = false;  // the hot path: memory only unless a cache misses
  r.handler = [&ctx, &cache](const sdk::Request& req) {
    auto project = sdk::projects(ctx).resolve_client(req);
    require_active(*project);
    EvalContext context = client_context(req);
    auto compiled = cache.get(req, project->id);
    auto if_none_match = req.header("If-None-Match");
    Evaluation result;
    compiled->evaluate(context, !if_none_match, result);
    std::string quoted = "\"" + result.etag + "\"";
    if (if_none_match && etag_listed(*if_none_match, quoted, true))
      return sdk::Response::empty(304).with_header("ETag", quoted).with_header("Cache-Control", "no-cache");
    if (if_none_match) compiled->evaluate(context, true, result);  // changed: now the body too
    sdk::Response response;
    response.body.reserve(result.config_json.size() + 64);
    response.body += "{\"data\":";
    append_bundle(result, response.body);
    response.body += '}';
    return response.with_header("ETag", std::move(quoted)).with_header("Cache-Control", "no-cache");
  };
  ctx.add_operation(std::move(r), operations::client_config_get());
  ctx.allow_cross_origin("/v1/client/config");

  sdk::RouteSpec live;
  live.method = "GET";
  live.path = "/v1/client/config/stream";
  live.tags = {"remote_config"};
  live.handler = [&ctx, &cache, &hub](const sdk::Request& req) {
    auto project = sdk::projects(ctx).resolve_client(req);
    require_active(*project);
    StreamHub::Opening opening{.project_id = project->id,
                               .tenant_id = project->tenant_id,
                               .context = client_context(req),
                               .credential = std::string(sdk::presented_credential(req).token),
                               .last_event_id = std::string(req.header("Last-Event-ID").value_or(""))};
    cache.get(req, project->id);  // a database that is away answers 503 now, before the stream starts
    sdk::Response head;
    head.content_type = "text/event-stream";
    head.with_header("Cache-Control", "no-cache").with_header("X-Accel-Buffering", "no");
    hub.open(req.start_stream(head), std::move(opening));
    return head;
  };
  ctx.add_operation(std::move(live), operations::client_config_stream());
  ctx.allow_cross_origin("/v1/client/config/stream");

  // The same evaluation for an admin credential: a preview of what a client with this context gets.
  const sdk::RouteGroup admin{ctx, "/v1/admin/projects/:projectId", {"remote_config"}};
  admin.operation(operations::config_preview(), "GET", "/config/preview", "config:read", "LIST_FAILED",
                  [&ctx, &cache](const sdk::Request& req) {
                    std::string project = project_of(ctx, req);
                    EvalContext context = client_context(req);
                    Evaluation result;
                    cache.get(req, project)->evaluate(context, true, result);
                    sdk::Response response;
                    response.body = "{\"data\":";
                    append_bundle(result, response.body);
                    response.body += '}';
                    return response.with_header("Cache-Control", "no-store");
                  });
}

}  // namespace remote_config
