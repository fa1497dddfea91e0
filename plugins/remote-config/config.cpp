#include "config.hpp"

namespace remote_config {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "max_value_bytes": {"type": "integer", "minimum": 16, "maximum": 1048576, "default": 65536,
                        "description": "largest value (and condition value), serialized as JSON"},
    "max_keys": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000,
                 "description": "config keys per project"},
    "cache_max_projects": {"type": "integer", "minimum": 10, "default": 10000,
                           "description": "compiled project configs each process keeps in memory"},
    "max_versions": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 300,
                     "description": "config versions kept per project; a job prunes the older ones"},
    "stream_heartbeat_seconds": {"type": "integer", "minimum": 1, "maximum": 300, "default": 15,
                                 "description": "a keep-alive comment on every open config stream this often, so proxies keep it open"},
    "stream_recheck_seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 5,
                               "description": "each config stream's key is authenticated again this often, for credentials whose answer changes without an event (a key revoked or a project archived or deleted ends its streams at once)"},
    "stream_retry_ms": {"type": "integer", "minimum": 100, "maximum": 600000, "default": 2000,
                        "description": "the reconnect delay config streams advise (SSE retry), also when the server shuts down"}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.max_value_bytes = static_cast<std::size_t>(s.at("max_value_bytes").as_int64());
  c.max_keys = static_cast<std::size_t>(s.at("max_keys").as_int64());
  c.cache_max_projects = static_cast<std::size_t>(s.at("cache_max_projects").as_int64());
  c.max_versions = static_cast<std::size_t>(s.at("max_versions").as_int64());
  c.stream_heartbeat_seconds = static_cast<int>(s.at("stream_heartbeat_seconds").as_int64());
  c.stream_recheck_seconds = static_cast<int>(s.at("stream_recheck_seconds").as_int64());
  c.stream_retry_ms = static_cast<int>(s.at("stream_retry_ms").as_int64());
  return c;
}

}  // namespace remote_config
