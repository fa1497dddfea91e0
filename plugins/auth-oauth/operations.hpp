#pragma once
// The operations of the OAuth API (SDK 1.4), one function per route, named
// after the operation id: help text, the JSON Schemas of the inputs and of
// the success body, the errors and hints (seed: authentication.txt). The
// protocol endpoints keep their RFC bodies and errors: their schemas
// document them and the handlers check them (handler_validates). The
// handlers are in routes_*.cpp.

#include "ambit/sdk/operation.hpp"

namespace oauth::operations {

// routes_discovery.cpp
ambit::sdk::Operation oauth_clients_register();  ///< POST /oauth/register
ambit::sdk::Operation oauth_metadata_get();      ///< GET  /.well-known/oauth-authorization-server
// routes_authorize.cpp (HTML pages)
ambit::sdk::Operation oauth_authorizations_show();    ///< GET  /oauth/authorize
ambit::sdk::Operation oauth_authorizations_submit();  ///< POST /oauth/authorize
// routes_token.cpp
ambit::sdk::Operation oauth_tokens_issue();       ///< POST /oauth/token
ambit::sdk::Operation oauth_tokens_revoke();      ///< POST /oauth/revoke
ambit::sdk::Operation oauth_tokens_introspect();  ///< POST /oauth/introspect
// routes_admin.cpp (REST)
ambit::sdk::Operation oauth_clients_list();    ///< GET    /v1/oauth_clients
ambit::sdk::Operation oauth_clients_revoke();  ///< DELETE /v1/oauth_clients/:clientId
ambit::sdk::Operation oauth_grants_list();     ///< GET    /v1/oauth_grants
ambit::sdk::Operation oauth_grants_revoke();   ///< DELETE /v1/oauth_grants/:grantId

}  // namespace oauth::operations
