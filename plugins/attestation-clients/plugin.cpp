// attestation-clients: Intel Trust Authority style API client management
// (seed: attestation-clients.md) under /management/v1 — the service catalog
// and a tenant's plans, attestation policies, API clients with keys sealed by
// the keyring, and key verification for attestation services. Registration
// only; the work lives in the other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "config.hpp"
#include "routes.hpp"
#include "store.hpp"
#include "verifier.hpp"

namespace sdk = ambit::sdk;

namespace attestation {

class AttestationClientsPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return attestation::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    verifier_ = std::make_unique<Verifier>(ctx, config_, store_);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("attestation:read", "list attestation services, plans, policies and API clients (with their keys)");
    ctx.add_scope("attestation:write", "switch plans; create, change and delete attestation policies and API clients");
    ctx.add_dedicated_scope("attestation:verify", "verify API client keys (for attestation services; dedicated keys only)");
    Deps deps{ctx, config_, store_, *verifier_};
    register_catalog_routes(deps);
    register_policy_routes(deps);
    register_client_routes(deps);
  }

  void start(sdk::Context& ctx) override {
    ctx.events().subscribe(kClientChangedTopic,
                           [this](std::string_view, std::string_view id) { verifier_->forget_client(id); });
    ctx.events().subscribe("*", [this](std::string_view, std::string_view) { verifier_->clear(); });
  }

 private:
  Config config_;
  Store store_;
  std::unique_ptr<Verifier> verifier_;
};

}  // namespace attestation

AMBIT_PLUGIN(attestation::AttestationClientsPlugin, "attestation-clients", "0.1.0", "alpha",
             "attestation API clients: service plans, policies, API client keys and their verification")
