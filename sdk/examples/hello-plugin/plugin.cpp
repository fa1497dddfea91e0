// hello: descriptor and registration only; the work lives in routes/store.
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace sdk = ambit::sdk;

namespace hello {

class HelloPlugin final : public sdk::Plugin {
 public:
  boost::json::value config_schema() const override {
    return boost::json::parse(R"({"type": "object", "properties": {
      "greeting": {"type": "string", "minLength": 1, "default": "Hello", "description": "the word to greet with"}}})");
  }

  void setup(sdk::Context& ctx) override {
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    auto store = std::make_shared<Store>(ctx);
    register_routes(ctx, store, std::string(ctx.config().at("greeting").as_string()));
  }
};

}  // namespace hello

AMBIT_PLUGIN(hello::HelloPlugin, "hello", "1.0.0", "alpha", "Greets callers and counts their visits.")
