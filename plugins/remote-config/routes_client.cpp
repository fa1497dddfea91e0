#include <algorithm>

#include "ambit/sdk/projects.hpp"
#include "operations.hpp"
#include "entity_tags.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {
namespace {

constexpr std::size_t kMaxContextValue = 256;

/// The evaluation context from the query string: user_id, platform,
/// app_version, country and attr.<name>. The operation declares the query
/// but leaves its check here (handler_validates): one comparison per value
/// instead of a validation pass on every request of the hot path.
EvalContext context_of(const sdk::Request& req) {
  EvalContext ctx;
  for (const auto& [name, value] : req.query_params) {
    if (value.size() > kMaxContextValue)
      throw sdk::ApiError::invalid_input(name + " is longer than 256 characters", name);
    if (name == "user_id") {
      ctx.user_id = value;
    } else if (name == "platform") {
      ctx.platform = value;
      std::transform(ctx.platform.begin(), ctx.platform.end(), ctx.platform.begin(),
                     [](unsigned char c) { return std::tolower(c); });
    } else if (name == "app_version") {
      ctx.app_version = value;
      ctx.app_semver = parse_semver(value);
    } else if (name == "country") {
      ctx.country = value;
      std::transform(ctx.country.begin(), ctx.country.end(), ctx.country.begin(),
                     [](unsigned char c) { return std::toupper(c); });
    } else if (name.size() > 5 && name.compare(0, 5, "attr.") == 0) {
      ctx.attributes.emplace_back(name.substr(5), value);
    }
  }
  return ctx;
}

}  // namespace

void register_client_routes(sdk::Context& ctx, ConfigCache& cache) {
  sdk::RouteSpec r;
  r.method = "GET";
  r.path = "/v1/client/config";
  r.tags = {"remote_config"};
  r.may_block = false;  // the hot path: memory only unless a cache misses
  r.handler = [&ctx, &cache](const sdk::Request& req) {
    auto project = sdk::projects(ctx).resolve_client(req);
    if (project->status != "active")
      throw sdk::ApiError(503, "PROJECT_NOT_ACTIVE", "the project is not active yet; retry later",
                          {{"status", project->status}});
    EvalContext context = context_of(req);
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
    response.body += "{\"data\":{\"config\":";
    response.body += result.config_json;
    response.body += ",\"etag\":\"";
    response.body += result.etag;
    response.body += "\"}}";
    return response.with_header("ETag", std::move(quoted)).with_header("Cache-Control", "no-cache");
  };
  ctx.add_operation(std::move(r), operations::client_config_get());
}

}  // namespace remote_config
