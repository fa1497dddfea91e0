// remote-config: per-project typed config with segment and percentage
// overrides (seed: remote-config.txt), segments, and the client endpoint
// GET /v1/client/config with ETags, live as a stream. Registration only; the work lives in the
// other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/projects.hpp"
#include "config.hpp"
#include "config_cache.hpp"
#include "routes.hpp"
#include "store.hpp"
#include "stream_hub.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {

class RemoteConfigPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return remote_config::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    cache_ = std::make_unique<ConfigCache>(ctx, store_, config_);
    hub_ = std::make_unique<StreamHub>(ctx, *cache_, config_);
    writer_ = std::make_unique<ConfigWriter>(ctx, config_, store_);
    writer_->register_jobs();
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("config:read", "read a project's remote config and segments");
    ctx.add_scope("config:write", "change a project's remote config and segments");
    sdk::add_project_step(ctx, {"remote-config.system-segments", [this](const sdk::ProjectInfo& p, soci::session& tx) {
                                  seed_system_segments(*writer_, p.id, tx);
                                }});
    register_admin_routes(ctx, config_, store_, *writer_);
    register_version_routes(ctx, store_, *writer_);
    register_client_routes(ctx, *cache_, *hub_);
  }

  void start(sdk::Context& ctx) override {
    // The cache first: the streams then read the changed config.
    ctx.events().subscribe(kConfigChangedTopic, [this](std::string_view, std::string_view project) {
      cache_->forget(std::string(project));
      hub_->config_changed(project);
    });
    ctx.events().subscribe(sdk::kProjectChangedTopic,
                           [this](std::string_view, std::string_view project) { hub_->project_changed(project); });
    ctx.events().subscribe("*", [this](std::string_view, std::string_view) {
      cache_->clear();
      hub_->reset();
    });
    hub_->start();
  }

  void stop(sdk::Context&) override {
    if (hub_) hub_->stop();
  }

 private:
  Config config_;
  Store store_;
  std::unique_ptr<ConfigCache> cache_;
  std::unique_ptr<ConfigWriter> writer_;
  std::unique_ptr<StreamHub> hub_;
};

}  // namespace remote_config

AMBIT_PLUGIN(remote_config::RemoteConfigPlugin, "remote-config", "0.1.0", "alpha",
             "remote config: typed keys, segments, percentage rollouts, ETag'd client endpoint", "projects")
