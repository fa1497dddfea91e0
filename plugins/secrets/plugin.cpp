// secrets: encrypted per-project secrets (seed: secrets.txt), never readable
// back, synced to a runtime through a SecretSink on durable jobs.
// Registration only; the work lives in the other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/projects.hpp"
#include "config.hpp"
#include "routes.hpp"
#include "store.hpp"
#include "syncer.hpp"

namespace sdk = ambit::sdk;

namespace secrets {

class SecretsPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return secrets::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    syncer_ = std::make_unique<Syncer>(ctx, config_, store_);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("secrets:read", "list and look up a project's secrets: names and sync status, never values");
    ctx.add_scope("secrets:write", "set, rotate, delete and resync a project's secrets");
    ctx.add_job_handler(kSyncJob, [this](const sdk::Job& job, soci::session& tx) { syncer_->run(job, tx); });
    // Provisioning mints the project's data key and syncs what was set before.
    sdk::add_project_step(ctx, {"secrets.data-key", [this, &ctx](const sdk::ProjectInfo& p, soci::session& tx) {
                                  ctx.database().lock_in_transaction(tx, "secrets:" + p.id);
                                  syncer_->data_key(tx, p.id);
                                  syncer_->schedule(tx, p.id, true);
                                }});
    // A deleted project's runtime files go with it (they hold plaintext values).
    ctx.events().subscribe(kProjectDeletedTopic,
                           [this](std::string_view, std::string_view id) { syncer_->forget_project(std::string(id)); });
    register_routes(ctx, config_, store_, *syncer_);
  }

  void start(sdk::Context&) override { syncer_->start(); }

 private:
  Config config_;
  Store store_;
  std::unique_ptr<Syncer> syncer_;
};

}  // namespace secrets

AMBIT_PLUGIN(secrets::SecretsPlugin, "secrets", "0.1.0", "alpha",
             "encrypted project secrets synced to a runtime (directory, webhook or a plugin's sink)", "projects")
