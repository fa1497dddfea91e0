#include "config.hpp"

#include <cstdlib>
#include <stdexcept>

namespace secrets {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "sink": {"type": "object", "description": "where decrypted secrets are delivered", "properties": {
      "type": {"type": "string", "enum": ["directory", "webhook", "service"], "default": "directory",
               "description": "directory: <dir>/<project>/<function or _project>.env files; webhook: signed POSTs; service: a plugin's secrets.sink"},
      "directory": {"type": "string", "default": "", "description": "directory sink root (default <data_dir>/runtime)"},
      "url": {"type": "string", "default": "", "description": "webhook sink URL (http://host:port/path)"},
      "secret_env": {"type": "string", "default": "", "description": "environment variable holding the webhook HMAC key"},
      "timeout_ms": {"type": "integer", "minimum": 100, "maximum": 60000, "default": 5000}
    }},
    "retry_base_ms": {"type": "integer", "minimum": 10, "default": 1000,
                      "description": "first retry of a failed sync; doubles per failure"},
    "retry_max_ms": {"type": "integer", "minimum": 10, "default": 60000, "description": "longest wait between retries"},
    "max_value_bytes": {"type": "integer", "minimum": 1, "maximum": 1048576, "default": 65536}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  const auto& sink = s.at("sink").as_object();
  c.sink = std::string(sink.at("type").as_string());
  c.directory = std::string(sink.at("directory").as_string());
  c.webhook_url = std::string(sink.at("url").as_string());
  c.webhook_secret_env = std::string(sink.at("secret_env").as_string());
  c.webhook_timeout = std::chrono::milliseconds(sink.at("timeout_ms").as_int64());
  c.retry_base = std::chrono::milliseconds(s.at("retry_base_ms").as_int64());
  c.retry_max = std::chrono::milliseconds(s.at("retry_max_ms").as_int64());
  c.max_value_bytes = static_cast<std::size_t>(s.at("max_value_bytes").as_int64());
  if (c.sink == "webhook") {
    if (c.webhook_url.rfind("http://", 0) != 0)
      throw std::invalid_argument("sink.url must be an http:// URL for the webhook sink (terminate TLS at a local proxy)");
    const char* key = c.webhook_secret_env.empty() ? nullptr : std::getenv(c.webhook_secret_env.c_str());
    if (!key || !*key)
      throw std::invalid_argument("sink.secret_env must name a non-empty environment variable holding the webhook HMAC key");
  }
  return c;
}

}  // namespace secrets
