// mcp: the deployment's operations as MCP tools over Streamable HTTP at
// /mcp, for agents and IDEs (docs/mcp.md). Registration only; the work lives
// in the other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "config.hpp"
#include "endpoint.hpp"
#include "operations.hpp"

namespace sdk = ambit::sdk;

namespace mcp {

class McpPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return mcp::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    sessions_ = std::make_unique<Sessions>(ctx, config_);
    progress_ = std::make_unique<Progress>(ctx, config_);
    endpoint_ = std::make_unique<Endpoint>(ctx, config_, *sessions_, tools_, *progress_);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    sessions_->subscribe();
    progress_->subscribe();

    auto route = [&](std::string method, std::string path, sdk::AuthMode auth,
                     sdk::Response (Endpoint::*handle)(const sdk::Request&), bool may_block = true) {
      sdk::RouteSpec r;
      r.method = std::move(method);
      r.path = std::move(path);
      r.auth = auth;  // optional: the endpoint answers 401 itself, with the MCP pointer to its metadata
      r.may_block = may_block;
      r.tags = {"mcp"};
      r.handler = [this, handle](const sdk::Request& req) { return ((*endpoint_).*handle)(req); };
      return r;
    };
    // A message starts on the I/O thread (sessions and tools are cached): a
    // read-only tool call on a hot path costs no thread hop. Whatever needs
    // the database calls will_block() first and the kernel moves it to a worker.
    ctx.add_operation(route("POST", "/mcp", sdk::AuthMode::optional, &Endpoint::post, false), operations::message());
    ctx.add_operation(route("DELETE", "/mcp", sdk::AuthMode::optional, &Endpoint::end_session), operations::end_session());
    ctx.add_operation(route("GET", "/.well-known/oauth-protected-resource", sdk::AuthMode::none, &Endpoint::resource_metadata,
                            false),
                      operations::resource_metadata(false));
    ctx.add_operation(route("GET", "/.well-known/oauth-protected-resource/mcp", sdk::AuthMode::none,
                            &Endpoint::resource_metadata, false),
                      operations::resource_metadata(true));
  }

  void start(sdk::Context& ctx) override {
    tools_.build(ctx, config_.tool_prefix);
    endpoint_->start();
    progress_->start();
  }

  void stop(sdk::Context&) override { progress_->stop(); }

 private:
  Config config_;
  ToolCatalog tools_;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<Endpoint> endpoint_;
};

}  // namespace mcp

AMBIT_PLUGIN(mcp::McpPlugin, "mcp", "0.1.0", "alpha",
             "every operation as an MCP tool (Streamable HTTP at /mcp) with the REST API's credentials, scopes and audit")
