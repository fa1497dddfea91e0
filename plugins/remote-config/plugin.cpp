// remote-config: per-project typed config with segment and percentage
// overrides (seed: remote-config.txt), segments, and the client endpoint
// GET /v1/client/config with ETags. Registration only; the work lives in the
// other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/projects.hpp"
#include "config.hpp"
#include "config_cache.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {

class RemoteConfigPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return remote_config::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    cache_ = std::make_unique<ConfigCache>(ctx, store_, config_);
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
    register_client_routes(ctx, *cache_);
  }

  void start(sdk::Context& ctx) override {
    ctx.events().subscribe(kConfigChangedTopic,
                           [this](std::string_view, std::string_view project) { cache_->forget(std::string(project)); });
    ctx.events().subscribe("*", [this](std::string_view, std::string_view) { cache_->clear(); });
  }

 private:
  Config config_;
  Store store_;
  std::unique_ptr<ConfigCache> cache_;
  std::unique_ptr<ConfigWriter> writer_;
};

}  // namespace remote_config

AMBIT_PLUGIN(remote_config::RemoteConfigPlugin, "remote-config", "0.1.0", "alpha",
             "remote config: typed keys, segments, percentage rollouts, ETag'd client endpoint", "projects")
