// console: the dashboard at /console (seed: authentication.txt, "the
// first-party web app") and its credential, the console session.
// Registration only; the work lives in the other files of this folder.
#include <map>

#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "authenticator.hpp"
#include "config.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace console {

class ConsolePlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override { return console::config_schema(); }

  void setup(sdk::Context& ctx) override {
    config_ = parse_config(ctx.config());
    store_ = std::make_unique<Store>(ctx);
    // Entries are read again after a minute: another process's requests move last_seen_at.
    kit_ = std::make_unique<SessionKit>(ctx, "console", 100000, 30000, 60000);
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_cookie_credential({.cookie = kCookie, .token_prefix = kTokenPrefix});
    ctx.add_authenticator(std::make_shared<SessionAuthenticator>(ctx, config_, *store_, *kit_));
    register_session_routes(ctx, config_, *store_, *kit_);
    register_file_routes(ctx, config_);
  }

  void start(sdk::Context& ctx) override {
    auto& events = ctx.events();
    events.subscribe(kSessionEndedTopic, [this](std::string_view, std::string_view id) {
      kit_->forget_if([&](const SessionRecord& s) { return s.id == id; });
    });
    events.subscribe(sdk::kMembershipChangedTopic, [this](std::string_view, std::string_view payload) {
      if (auto m = sdk::membership_change(payload))
        kit_->forget_if([&](const SessionRecord& s) { return s.tenant_id == m->first && s.user_id == m->second; });
    });
    events.subscribe("*", [this](std::string_view, std::string_view) { kit_->clear(); });
    // last_seen_at (the sliding expiry) is written in batches, never on the request path.
    auto flush = [this](const std::map<std::string, std::int64_t>& seen) { store_->touch(seen); };
    kit_->usage().start(std::chrono::seconds(5), flush, ctx.logger());
  }

  void stop(sdk::Context&) override { kit_->usage().stop(); }

 private:
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SessionKit> kit_;
};

}  // namespace console

AMBIT_PLUGIN(console::ConsolePlugin, "console", "0.1.0", "alpha",
             "The console at /console: a dashboard for people, signed in with a session cookie")
