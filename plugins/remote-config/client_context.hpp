#pragma once
// The evaluation context a client sends in the query string of the client
// endpoints (GET /v1/client/config and its stream).

#include <string>

#include "ambit/sdk/http.hpp"
#include "segments.hpp"

namespace remote_config {

/// user_id, platform, app_version, country and attr.<name>; other parameters
/// are ignored. 400 INVALID_INPUT for a value over 256 characters. The
/// operations declare the query but leave this check here (handler_validates):
/// one comparison per value instead of a validation pass on the hot path.
EvalContext client_context(const ambit::sdk::Request& req);

/// One string per distinct context: clients with equal keys get equal results.
std::string context_key(const EvalContext& ctx);

}  // namespace remote_config
