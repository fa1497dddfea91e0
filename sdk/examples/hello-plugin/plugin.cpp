// hello: descriptor and registration only; the work lives in routes/store.
#include "ambit/sdk/embedded_files.hpp"
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
    add_console_page(ctx);
  }

  /// A page in the console (SDK 1.9): a menu entry, and the module it loads from this plugin's own route.
  static void add_console_page(sdk::Context& ctx) {
    sdk::RouteSpec page;
    page.method = "GET";
    page.path = "/hello/console.js";
    page.auth = sdk::AuthMode::none;  // the module is public; the data it shows comes through the API
    page.may_block = false;
    page.summary = "The hello page of the console";
    page.handler = [](const sdk::Request& req) {
      auto file = sdk::find_file(sdk::embedded_files(), "console.js");
      if (!file) throw sdk::ApiError::not_found("the page was not built in");
      return sdk::file_response(req, file->name, file->content);
    };
    ctx.add_route(std::move(page));
    ctx.add_console_page({.title = "Greetings", .script = "/hello/console.js"});
  }
};

}  // namespace hello

AMBIT_PLUGIN(hello::HelloPlugin, "hello", "1.0.0", "alpha", "Greets callers and counts their visits.")
