// projects: projects as the unit of tenancy (seed: projects.txt) — the admin
// API, asynchronous provisioning through lifecycle steps, project API keys
// and their authenticator, and the sdk::Projects service. Registration only;
// the work lives in the other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "authenticator.hpp"
#include "caches.hpp"
#include "config.hpp"
#include "provisioner.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace projects {

class ProjectsPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return projects::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    store_ = std::make_unique<Store>(ctx);
    caches_ = std::make_unique<Caches>(ctx, config_, *store_);
    provisioner_ = std::make_unique<Provisioner>(ctx, config_, *store_);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("projects:read", "list and read projects, their keys (prefixes only) and provisioning status");
    ctx.add_scope("projects:write", "create, change, archive, delete and reprovision projects; mint and revoke keys");
    ctx.add_authenticator(std::make_shared<ProjectKeyAuthenticator>(ctx, *store_, *caches_));
    ctx.add_job_handler(kProvisionJob, [this](const sdk::Job& job, soci::session& tx) { provisioner_->run(job, tx); });
    std::shared_ptr<sdk::Projects> service = std::make_shared<ProjectsService>(ctx, *caches_, *provisioner_);
    ctx.provide_service(sdk::kProjectsService, 1, service);
    register_routes(ctx, config_, *store_, *provisioner_);
  }

  void start(sdk::Context& ctx) override {
    provisioner_->seal();  // every dependent plugin's setup() has run
    auto& events = ctx.events();
    events.subscribe(kKeyChangedTopic, [this](std::string_view, std::string_view id) { caches_->forget_key(id); });
    events.subscribe(sdk::kProjectChangedTopic,
                     [this](std::string_view, std::string_view id) { caches_->forget_project(id); });
    events.subscribe("*", [this](std::string_view, std::string_view) { caches_->clear(); });
    // last_used_at is written in batches, never on the request path.
    auto flush = [this](const std::map<std::string, std::int64_t>& used) { store_->touch_keys(used); };
    caches_->usage().start(config_.last_used_flush, flush, ctx.logger());
  }

  void stop(sdk::Context&) override { caches_->usage().stop(); }

 private:
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Caches> caches_;
  std::unique_ptr<Provisioner> provisioner_;
};

}  // namespace projects

AMBIT_PLUGIN(projects::ProjectsPlugin, "projects", "0.1.0", "alpha",
             "projects: tenancy, asynchronous provisioning through lifecycle steps, project API keys")
