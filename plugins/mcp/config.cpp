#include "config.hpp"

#include <boost/url/parse.hpp>

namespace mcp {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "tool_prefix": {"type": "string", "pattern": "^[a-z][a-z0-9]{0,15}$", "default": "amba",
                    "description": "tool names are <prefix>_<resource>_<action> (amba_secrets_set)"},
    "allowed_origins": {"type": "array", "items": {"type": "string", "maxLength": 256}, "default": [],
                        "description": "browser origins allowed to call /mcp (DNS rebinding protection); empty: the origin of server.public_url. A request without Origin (not from a browser) is allowed."},
    "max_sessions_per_credential": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 32,
                                    "description": "open sessions per credential; a new one ends the least recently used"},
    "session_idle_minutes": {"type": "integer", "minimum": 1, "maximum": 10080, "default": 60,
                             "description": "a session unused this long ends"},
    "max_message_bytes": {"type": "integer", "minimum": 1024, "maximum": 16777216, "default": 1048576,
                          "description": "largest JSON-RPC message accepted (413 beyond)"},
    "tools_page_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50,
                        "description": "tools per tools/list page"},
    "progress_timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 120,
                                 "description": "how long a call with a progress token waits for its work (a project to provision, a secret to sync)"},
    "progress_interval_ms": {"type": "integer", "minimum": 50, "maximum": 10000, "default": 250,
                             "description": "how often a waiting call checks its work"},
    "max_progress_calls": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 64,
                           "description": "calls waiting for their work at once in one process; beyond, a call answers at once"}
  }})json");
}

std::string origin_of(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || !u->has_authority()) return "";
  std::string out = std::string(u->scheme()) + "://" + std::string(u->encoded_host());
  if (u->has_port()) out += ":" + std::string(u->port());
  return out;
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.tool_prefix = std::string(s.at("tool_prefix").as_string());
  for (auto& o : s.at("allowed_origins").as_array()) c.allowed_origins.emplace_back(o.as_string());
  c.max_sessions_per_credential = static_cast<int>(s.at("max_sessions_per_credential").as_int64());
  c.session_idle = std::chrono::minutes(s.at("session_idle_minutes").as_int64());
  c.max_message_bytes = static_cast<std::size_t>(s.at("max_message_bytes").as_int64());
  c.tools_page_size = static_cast<int>(s.at("tools_page_size").as_int64());
  c.progress_timeout = std::chrono::seconds(s.at("progress_timeout_seconds").as_int64());
  c.progress_interval = std::chrono::milliseconds(s.at("progress_interval_ms").as_int64());
  c.max_progress_calls = static_cast<int>(s.at("max_progress_calls").as_int64());
  return c;
}

}  // namespace mcp
