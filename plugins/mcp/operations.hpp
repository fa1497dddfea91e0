#pragma once
// The mcp plugin's routes as declared operations: protocol endpoints
// (handler_validates: JSON-RPC has its own errors), documented in
// /openapi.json, never tools themselves.
#include "ambit/sdk/operation.hpp"

namespace mcp::operations {

namespace sdk = ambit::sdk;

sdk::Operation message();
sdk::Operation end_session();
/// `path_form`: the RFC 9728 path-inserted URL (/.well-known/oauth-protected-resource/mcp).
sdk::Operation resource_metadata(bool path_form);

}  // namespace mcp::operations
