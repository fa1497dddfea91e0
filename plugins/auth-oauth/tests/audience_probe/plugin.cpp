// oauth-audience-probe: a test-only plugin (never deploy). One route, for
// any authenticated caller:
//   GET /testing/token-audience -> {"data": {"audience": "<resource>" | "" | null, "credential_type": "..."}}
// It asks the "token-audience" service (sdk::TokenAudience, version 1) about
// the principal the kernel resolved, as the MCP server does on each request;
// null when the service does not issue the caller's credential type.
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/token_audience.hpp"

namespace sdk = ambit::sdk;

namespace {

class AudienceProbe final : public sdk::Plugin {
 public:
  void setup(sdk::Context& ctx) override {
    sdk::RouteSpec r;
    r.method = "GET";
    r.path = "/testing/token-audience";
    r.auth = sdk::AuthMode::required;
    r.handler = [&ctx](const sdk::Request& req) {
      auto audiences = ctx.service<sdk::TokenAudience>("token-audience", 1);
      if (!audiences) return sdk::Response::data({{"error", "no token-audience service"}}, 500);
      auto audience = audiences->audience(*req.principal);
      boost::json::value aud = audience ? boost::json::value(*audience) : boost::json::value(nullptr);
      return sdk::Response::data({{"audience", aud}, {"credential_type", req.principal->credential_type}});
    };
    ctx.add_route(std::move(r));
  }
};

}  // namespace

AMBIT_PLUGIN(AudienceProbe, "oauth-audience-probe", "0.1.0", "alpha", "token-audience test probe (never deploy)",
             "auth-oauth")
