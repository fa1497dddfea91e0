#pragma once
// The MCP Streamable HTTP endpoint (/mcp): JSON-RPC over POST, one message
// per request (protocol 2025-06-18 and 2025-11-25), DELETE to end a
// session. Authentication is the kernel's (the REST credentials); this adds
// the MCP authorization rules: the RFC 9728 pointer on 401, OAuth tokens
// bound to this resource (RFC 8707), and step-up on a missing scope.

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/token_audience.hpp"
#include "config.hpp"
#include "progress.hpp"
#include "sessions.hpp"
#include "tools.hpp"

namespace mcp {

namespace sdk = ambit::sdk;

class Endpoint {
 public:
  Endpoint(sdk::Context& ctx, const Config& config, Sessions& sessions, ToolCatalog& tools, Progress& progress);
  /// After every plugin's setup: the token-audience service, if one is offered.
  void start();

  sdk::Response post(const sdk::Request& req);
  sdk::Response end_session(const sdk::Request& req);
  /// The RFC 9728 protected resource metadata of /mcp.
  sdk::Response resource_metadata(const sdk::Request& req);

  /// "<public_url>/mcp": the resource OAuth tokens must be issued for.
  std::string resource() const { return ctx_.public_url() + "/mcp"; }
  /// Where its RFC 9728 metadata is: the path-inserted form of resource()
  /// (RFC 9728 section 3.1), as the kernel's own 401 at /mcp points to.
  std::string metadata_url() const { return ctx_.public_url() + "/.well-known/oauth-protected-resource/mcp"; }

 private:
  /// 403 for a browser Origin not allowed, 401 without a credential fit
  /// for this resource; nullopt when the request may go on.
  std::optional<sdk::Response> refuse(const sdk::Request& req);
  sdk::Response initialize(const sdk::Request& req, const boost::json::value& id, const boost::json::object& params);
  sdk::Response call_tool(const sdk::Request& req, const Session& session, const boost::json::value& id,
                          const boost::json::object& params);
  sdk::Response unauthorized(const std::string& error, const std::string& description) const;

  sdk::Context& ctx_;
  const Config& config_;
  Sessions& sessions_;
  ToolCatalog& tools_;
  Progress& progress_;
  std::shared_ptr<sdk::TokenAudience> audiences_;
};

}  // namespace mcp
