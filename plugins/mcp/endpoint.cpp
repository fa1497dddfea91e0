#include "endpoint.hpp"

#include <algorithm>

#include "log_levels.hpp"

namespace json = boost::json;

namespace mcp {
namespace {

constexpr std::string_view kLatestVersion = "2025-11-25";
bool supported_version(std::string_view v) { return v == "2025-11-25" || v == "2025-06-18"; }

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602;

sdk::Response rpc_result(const json::value& id, json::value result) {
  return sdk::Response::json(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

/// The same, with the result already serialized.
sdk::Response rpc_result_text(const json::value& id, std::string_view result) {
  sdk::Response r;
  r.body.reserve(result.size() + 48);
  r.body += R"({"jsonrpc":"2.0","id":)";
  r.body += json::serialize(id);
  r.body += R"(,"result":)";
  r.body += result;
  r.body += '}';
  return r;
}

sdk::Response rpc_error(int http_status, const json::value& id, int code, const std::string& message,
                        json::object data = {}) {
  json::object error{{"code", code}, {"message", message}};
  if (!data.empty()) error["data"] = std::move(data);
  return sdk::Response::json(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}}, http_status);
}

const json::object& object_or_empty(const json::object& o, std::string_view key) {
  static const json::object empty;
  auto* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : empty;
}

bool valid_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }


}  // namespace

Endpoint::Endpoint(sdk::Context& ctx, const Config& config, Sessions& sessions, ToolCatalog& tools, Progress& progress)
    : ctx_(ctx), config_(config), sessions_(sessions), tools_(tools), progress_(progress) {}

void Endpoint::start() { audiences_ = ctx_.service<sdk::TokenAudience>("token-audience", 1); }

sdk::Response Endpoint::unauthorized(const std::string& error, const std::string& description) const {
  std::string challenge = "Bearer resource_metadata=\"" + metadata_url() + "\"";
  if (!error.empty()) challenge += ", error=\"" + error + "\", error_description=\"" + description + "\"";
  return rpc_error(401, nullptr, kInvalidRequest, description.empty() ? "a credential is required" : description,
                   {{"code", "unauthenticated"}})
      .with_header("WWW-Authenticate", challenge);
}

std::optional<sdk::Response> Endpoint::refuse(const sdk::Request& req) {
  // DNS rebinding: a browser page of another origin must not reach a local server.
  if (auto origin = req.header("Origin")) {
    const auto& allowed = config_.allowed_origins;
    bool ok = allowed.empty() ? *origin == origin_of(ctx_.public_url())
                              : std::find(allowed.begin(), allowed.end(), *origin) != allowed.end();
    if (!ok) return rpc_error(403, nullptr, kInvalidRequest, "origin " + std::string(*origin) + " is not allowed",
                              {{"code", "forbidden"}});
  }
  if (!req.principal) return unauthorized("", "");
  // RFC 8707: an OAuth token counts here only if it was issued for this resource.
  if (audiences_)
    if (auto audience = audiences_->audience(*req.principal); audience && *audience != resource())
      return unauthorized("invalid_token", "the token was not issued for " + resource() +
                                               " (authorize with resource=" + resource() + ")");
  return std::nullopt;
}

sdk::Response Endpoint::post(const sdk::Request& req) {
  if (auto refusal = refuse(req)) return *refusal;
  if (req.body.size() > config_.max_message_bytes)
    return rpc_error(413, nullptr, kInvalidRequest,
                     "the message is larger than " + std::to_string(config_.max_message_bytes) + " bytes");
  boost::system::error_code ec;
  json::value message = json::parse(req.body, ec);
  if (ec) return rpc_error(400, nullptr, kParseError, "the body is not JSON");
  if (!message.is_object())
    return rpc_error(400, nullptr, kInvalidRequest, "send one JSON-RPC message per request (batches are not supported)");
  const auto& m = message.as_object();
  auto* jsonrpc = m.if_contains("jsonrpc");
  if (!jsonrpc || *jsonrpc != "2.0") return rpc_error(400, nullptr, kInvalidRequest, "jsonrpc must be \"2.0\"");
  auto* method_value = m.if_contains("method");
  if (!method_value) return sdk::Response::empty(202);  // a response to a request of ours: we send none
  if (!method_value->is_string()) return rpc_error(400, nullptr, kInvalidRequest, "method must be a string");
  std::string method(method_value->as_string());
  const json::object& params = object_or_empty(m, "params");
  auto* id = m.if_contains("id");
  if (id && !valid_id(*id)) return rpc_error(400, nullptr, kInvalidRequest, "id must be a string or an integer");
  if (auto version = req.header("MCP-Protocol-Version"); version && !supported_version(*version))
    return rpc_error(400, id ? *id : json::value(nullptr), kInvalidRequest,
                     "unsupported MCP-Protocol-Version " + std::string(*version) + " (supported: 2025-11-25, 2025-06-18)");

  if (id && method == "initialize") return initialize(req, *id, params);
  auto session_id = req.header("Mcp-Session-Id");
  if (!session_id)
    return rpc_error(400, id ? *id : json::value(nullptr), kInvalidRequest, "Mcp-Session-Id is required after initialize");
  auto session = sessions_.find(std::string(*session_id), req.caller(), req);
  if (!session)
    return rpc_error(404, id ? *id : json::value(nullptr), kInvalidRequest,
                     "no such session: it ended or expired; initialize a new one");

  if (!id) {  // a notification: nothing to answer
    if (method == "notifications/cancelled")
      if (auto* request_id = params.if_contains("requestId"); request_id && valid_id(*request_id)) {
        req.will_block();
        progress_.cancel(session->id_hash, *request_id);
      }
    return sdk::Response::empty(202);
  }
  if (method == "ping") return rpc_result(*id, json::object{});
  if (method == "tools/list") {
    std::string cursor;
    if (auto* c = params.if_contains("cursor")) {
      if (!c->is_string()) return rpc_error(200, *id, kInvalidParams, "cursor must be a string");
      cursor = std::string(c->as_string());
    }
    json::object result;
    if (!tools_.page(req.caller(), cursor, config_.tools_page_size, result))
      return rpc_error(200, *id, kInvalidParams, "cursor is not one this server returned");
    return rpc_result(*id, std::move(result));
  }
  if (method == "tools/call") return call_tool(req, *session, *id, params);
  if (method == "logging/setLevel") {
    auto* level = params.if_contains("level");
    if (!level || !level->is_string() || log_severity(level->as_string()) < 0)
      return rpc_error(200, *id, kInvalidParams, "level must be one of debug, info, notice, warning, error, critical, alert, emergency");
    req.will_block();
    sessions_.set_log_level(*session, std::string(level->as_string()));
    return rpc_result(*id, json::object{});
  }
  return rpc_error(200, *id, kMethodNotFound, "method " + method + " is not supported");
}

sdk::Response Endpoint::initialize(const sdk::Request& req, const json::value& id, const json::object& params) {
  auto* requested = params.if_contains("protocolVersion");
  if (!requested || !requested->is_string()) return rpc_error(200, id, kInvalidParams, "protocolVersion is required");
  std::string version = supported_version(requested->as_string()) ? std::string(requested->as_string())
                                                                   : std::string(kLatestVersion);
  std::string client_name;
  if (auto* name = object_or_empty(params, "clientInfo").if_contains("name"); name && name->is_string())
    client_name = std::string(name->as_string().subview(0, std::min<std::size_t>(name->as_string().size(), 128)));
  req.will_block();
  std::string session_id = sessions_.open(req.caller(), version, client_name);
  json::object result{
      {"protocolVersion", version},
      {"capabilities", {{"tools", {{"listChanged", false}}}, {"logging", json::object{}}}},
      {"serverInfo", {{"name", "ambit"}, {"title", "ambit"}, {"version", "0.1.0"}}},  // the plugin's version
      {"instructions",
       "Tools act on this ambit deployment as the credential you connected with; you see only the tools its scopes "
       "allow. A tool error carries the API's code, message and missing_scope. Send a progress token with "
       + tool_name(config_.tool_prefix, "projects.create") + " or " + tool_name(config_.tool_prefix, "secrets.set") +
       " to wait until the project is active or the secret synced."}};
  return rpc_result(id, std::move(result)).with_header("Mcp-Session-Id", session_id);
}

sdk::Response Endpoint::call_tool(const sdk::Request& req, const Session& session, const json::value& id,
                                  const json::object& params) {
  auto* name = params.if_contains("name");
  if (!name || !name->is_string()) return rpc_error(200, id, kInvalidParams, "name must be a string");
  const Tool* tool = tools_.find(name->as_string());
  if (!tool) return rpc_error(200, id, kInvalidParams, "unknown tool " + std::string(name->as_string()));
  json::object arguments;
  if (auto* a = params.if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object()) return rpc_error(200, id, kInvalidParams, "arguments must be an object");
    arguments = a->as_object();
  }
  const sdk::Principal& caller = req.caller();
  sdk::Response answer = ctx_.operations().invoke_tool(tool->id, caller, arguments, tool->name);

  // An OAuth client can ask its user for more (step-up); a key cannot, so it
  // reads the error as the tool's result.
  if (answer.status == 403 && caller.credential_type == "oauth" && !tool->scope.empty() && !caller.has_scope(tool->scope)) {
    std::string wanted = tool->scope;
    for (auto& s : caller.scopes) wanted += " " + s;
    return rpc_error(403, id, kInvalidRequest, "this tool needs the scope " + tool->scope,
                     {{"code", "forbidden"}, {"missing_scope", tool->scope}})
        .with_header("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + wanted +
                                             "\", resource_metadata=\"" + metadata_url() +
                                             "\", error_description=\"this tool "
                                             "needs the scope " + tool->scope + "\"");
  }
  const sdk::Completion* completion = ctx_.operations().completion(tool->id);
  const json::value* token = object_or_empty(params, "_meta").if_contains("progressToken");
  if (!completion || !token || !valid_id(*token) || answer.status < 200 || answer.status >= 300)
    return rpc_result_text(id, call_result_text(answer, tool->structured));
  json::object result = call_result(answer, tool->structured);
  boost::system::error_code ec;
  json::value output = json::parse(answer.body, ec);
  if (ec) return rpc_result(id, std::move(result));

  auto wait = std::make_shared<Wait>();
  wait->caller = caller;
  wait->caller.audited = false;
  wait->completion = completion;
  wait->poll_arguments = Progress::poll_arguments(*completion, arguments, output);
  wait->request_id = id;
  wait->progress_token = *token;
  wait->session_hash = session.id_hash;
  wait->log_level = session.log_level;
  wait->result = result;
  sdk::Response head;
  head.content_type = "text/event-stream";
  wait->stream = req.start_stream(head);
  if (!progress_.begin(wait)) {  // too many calls wait already: answer now
    wait->stream->write(sse_event({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}));
    wait->stream->close();
  }
  return head;
}

sdk::Response Endpoint::end_session(const sdk::Request& req) {
  if (auto refusal = refuse(req)) return *refusal;
  auto session_id = req.header("Mcp-Session-Id");
  if (!session_id) return rpc_error(400, nullptr, kInvalidRequest, "Mcp-Session-Id is required");
  auto session = sessions_.find(std::string(*session_id), req.caller(), req);
  if (!session) return rpc_error(404, nullptr, kInvalidRequest, "no such session");
  ctx_.database().transaction([&](soci::session& tx) {
    sessions_.end(tx, *session);
    progress_.cancel_session(tx, session->id_hash);
  });
  return sdk::Response::empty(204);
}

sdk::Response Endpoint::resource_metadata(const sdk::Request&) {
  json::array scopes;
  for (auto& s : ctx_.identity().scopes()) scopes.emplace_back(s);
  json::array servers;
  if (audiences_) servers.emplace_back(ctx_.public_url());  // auth-oauth's issuer
  return sdk::Response::json(json::object{{"resource", resource()},
                                          {"authorization_servers", std::move(servers)},
                                          {"scopes_supported", std::move(scopes)},
                                          {"bearer_methods_supported", json::array{"header"}},
                                          {"resource_name", "ambit MCP server"},
                                          {"resource_documentation", ctx_.public_url() + "/docs"}});
}

}  // namespace mcp
