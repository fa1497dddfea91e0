// auth-oauth: an OAuth 2.1 authorization server (seed: authentication.txt)
// — dynamic registration, the authorization endpoint with its sign-in and
// consent pages, PKCE-bound codes, rotating refresh tokens, revocation and
// introspection, access tokens as credentials for every route (bound to a
// resource of this server with RFC 8707, told by the token-audience
// service), and the operator's purge command.
// Registration only; the work lives in the other files of this folder.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "authenticator.hpp"
#include "config.hpp"
#include "purge_command.hpp"
#include "reaper.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace oauth {

class OAuthPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return oauth::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    tokens_ = std::make_shared<TokenAuthenticator>(ctx, store_, config_.cache_max_entries);
    limits_ = std::make_unique<Limits>(config_);
    reaper_ = std::make_unique<Reaper>(ctx, config_, store_);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_scope("oauth_clients:read", "list the tenant's OAuth clients and grants");
    ctx.add_scope("oauth_clients:manage", "revoke the tenant's OAuth clients and grants");
    ctx.add_authenticator(tokens_);
    // RFC 8707: which resource an access token was issued for (the MCP server refuses the others').
    // Passed as the interface: consumers cast the service back to sdk::TokenAudience.
    ctx.provide_service("token-audience", 1,
                        std::shared_ptr<sdk::TokenAudience>(std::make_shared<TokenAudienceService>(tokens_)));
    ctx.add_job_handler(kReapJob, [this](const sdk::Job& job, soci::session& tx) { reaper_->run(job, tx); });
    Deps deps{ctx, config_, store_, *tokens_, *limits_};
    register_discovery_routes(deps);
    register_authorize_routes(deps);
    register_token_routes(deps);
    register_admin_routes(deps);
    ctx.add_command(purge_command(ctx, store_));
  }

  void start(sdk::Context& ctx) override {
    auto& events = ctx.events();
    events.subscribe(kChangedTopic, [this](std::string_view, std::string_view payload) { tokens_->forget(payload); });
    events.subscribe(sdk::kMembershipChangedTopic, [this](std::string_view, std::string_view payload) {
      if (auto m = sdk::membership_change(payload)) tokens_->forget_member(m->first, m->second);
    });
    events.subscribe("*", [this](std::string_view, std::string_view) { tokens_->clear(); });
    if (reaper_->enabled()) ctx.database().transaction([this](soci::session& tx) { reaper_->schedule(tx); });
  }

 private:
  Config config_;
  Store store_;
  std::shared_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<Limits> limits_;
  std::unique_ptr<Reaper> reaper_;
};

}  // namespace oauth

AMBIT_PLUGIN(oauth::OAuthPlugin, "auth-oauth", "0.1.0", "alpha",
             "OAuth 2.1 authorization server: registration, consent, PKCE codes, rotating refresh tokens")
