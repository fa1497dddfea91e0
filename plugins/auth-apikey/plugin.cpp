// auth-apikey: API keys with scopes (seed: authentication.txt, "API keys"),
// the CredentialIssuer service, and GET /v1/audit. Registration only; the
// work lives in the other files of this folder.
#include <map>

#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "authenticator.hpp"
#include "config.hpp"
#include "issuer.hpp"
#include "key_cache.hpp"
#include "key_format.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace apikey {

class AuthApiKeyPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return apikey::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    store_ = std::make_unique<Store>(ctx);
    kit_ = std::make_unique<KeyKit>(ctx, kHashPurpose, config_.cache_max_entries, config_.negative_ttl.count());
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("keys:read", "list and read API keys (never the secret)");
    ctx.add_scope("keys:manage", "create, rotate and revoke API keys");
    ctx.add_scope("audit:read", "read the tenant's audit log");
    ctx.add_authenticator(std::make_shared<KeyAuthenticator>(ctx, *store_, *kit_));
    // Stored as the interface type: consumers cast the service back to CredentialIssuer.
    std::shared_ptr<sdk::CredentialIssuer> issuer = std::make_shared<Issuer>(ctx, *store_);
    ctx.provide_service(sdk::kCredentialIssuerService, 1, issuer);
    register_routes(ctx, config_, *store_);
  }

  void start(sdk::Context& ctx) override {
    auto& events = ctx.events();
    events.subscribe(kKeyChangedTopic, [this](std::string_view, std::string_view id) {
      kit_->forget_if([&](const KeyRecord& k) { return k.id == id; });
    });
    events.subscribe(sdk::kMembershipChangedTopic, [this](std::string_view, std::string_view payload) {
      if (auto m = sdk::membership_change(payload))
        kit_->forget_if([&](const KeyRecord& k) { return k.tenant_id == m->first && k.user_id == m->second; });
    });
    events.subscribe("*", [this](std::string_view, std::string_view) { kit_->clear(); });
    // last_used_at is written in batches, never on the request path.
    auto flush = [this](const std::map<std::string, std::int64_t>& used) { store_->touch(used); };
    kit_->usage().start(config_.last_used_flush, flush, ctx.logger());
  }

  void stop(sdk::Context&) override { kit_->usage().stop(); }

 private:
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<KeyKit> kit_;
};

}  // namespace apikey

AMBIT_PLUGIN(apikey::AuthApiKeyPlugin, "auth-apikey", "0.1.0", "alpha",
             "API keys with scopes, rotation and revocation; the audit log API")
