-- POST /mcp: tools/call of amba_me_get in the session BENCH_MCP_SESSION;
-- any other path is requested as wrk would (GET), for the REST side. Both
-- carry the -H headers (the API key).
local body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"amba_me_get","arguments":{}}}'

init = function()
  mcp_headers = {}
  for name, value in pairs(wrk.headers) do mcp_headers[name] = value end
  mcp_headers["Content-Type"] = "application/json"
  mcp_headers["Accept"] = "application/json, text/event-stream"
  mcp_headers["Mcp-Session-Id"] = os.getenv("BENCH_MCP_SESSION")
  mcp_headers["MCP-Protocol-Version"] = "2025-11-25"
end

request = function()
  if wrk.path == "/mcp" then
    return wrk.format("POST", "/mcp", mcp_headers, body)
  end
  return wrk.format("GET", wrk.path)
end
