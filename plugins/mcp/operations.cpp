#include "operations.hpp"

namespace json = boost::json;

namespace mcp::operations {

sdk::Operation message() {
  return {
      .id = "mcp.message",
      .title = "Send an MCP message",
      .description =
          "MCP Streamable HTTP (protocol 2025-11-25 and 2025-06-18): one JSON-RPC message per POST. initialize opens "
          "a session (Mcp-Session-Id in the answer; send it on every later message); ping, tools/list (paged by "
          "cursor), tools/call and logging/setLevel follow. Every operation this credential may call is a tool "
          "named <prefix>_<resource>_<action>. A notification or a response answers 202 with no body. A tools/call "
          "with a progress token on an operation whose work goes on (a project provisioning, a secret syncing) "
          "answers as an SSE stream of notifications/progress that ends with the result. Authenticate as for the "
          "REST API; an OAuth token must be issued for the resource <public_url>/mcp. See docs/mcp.md.",
      .body = sdk::schema(R"json({"type": "object", "required": ["jsonrpc", "method"], "properties": {
          "jsonrpc": {"const": "2.0"},
          "id": {"type": ["string", "integer"], "description": "absent for a notification"},
          "method": {"type": "string", "examples": ["initialize", "tools/list", "tools/call"]},
          "params": {"type": "object"}}})json"),
      .output = sdk::schema(R"json({"type": "object", "required": ["jsonrpc", "id"], "properties": {
          "jsonrpc": {"const": "2.0"},
          "id": {"type": ["string", "integer", "null"]},
          "result": {"type": "object"},
          "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}, "data": {"type": "object"}}}}})json"),
      .statuses = {200, 202},
      .errors = {{400, "INVALID_REQUEST", "not one JSON-RPC 2.0 message, no Mcp-Session-Id, or an unsupported MCP-Protocol-Version"},
                 {401, "unauthenticated", "no credential, or an OAuth token issued for another resource (WWW-Authenticate names the resource metadata)"},
                 {403, "forbidden", "a browser Origin not allowed, or an OAuth token without the tool's scope (step-up: WWW-Authenticate error=\"insufficient_scope\")"},
                 {404, "NOT_FOUND", "the session ended or expired: initialize again"},
                 {413, "TOO_LARGE", "the message is larger than max_message_bytes"}},
      .handler_validates = true};
}

sdk::Operation end_session() {
  return {.id = "mcp.end_session",
          .title = "End an MCP session",
          .description = "Ends the session named by Mcp-Session-Id on every server process, and any call of it still "
                         "waiting for its work.",
          .statuses = {204},
          .errors = {{400, "INVALID_REQUEST", "no Mcp-Session-Id"}, {404, "NOT_FOUND", "no such session"}},
          .destructive = true,
          .idempotent = true,
          .handler_validates = true};
}

sdk::Operation resource_metadata(bool path_form) {
  return {.id = path_form ? "mcp.resource_metadata_for_path" : "mcp.resource_metadata",
          .title = path_form ? "Get the MCP server's protected resource metadata (path form)"
                             : "Get the MCP server's protected resource metadata",
          .description = "RFC 9728 metadata of the MCP endpoint: its resource URI (<public_url>/mcp), the "
                         "authorization server to get a token from, the scopes and how to send the token.",
          .output = sdk::schema(R"json({"type": "object", "required": ["resource", "authorization_servers", "scopes_supported",
              "bearer_methods_supported"], "properties": {
            "resource": {"type": "string", "format": "uri"},
            "authorization_servers": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "scopes_supported": {"type": "array", "items": {"type": "string"}},
            "bearer_methods_supported": {"type": "array", "items": {"type": "string"}},
            "resource_name": {"type": "string"},
            "resource_documentation": {"type": "string", "format": "uri"}}})json"),
          .read_only = true,
          .idempotent = true,
          .handler_validates = true};
}

}  // namespace mcp::operations
