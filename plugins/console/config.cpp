#include "config.hpp"

namespace console {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "session_ttl_minutes": {"type": "integer", "minimum": 5, "maximum": 1440, "default": 60,
      "description": "a session without a request for this long has ended; each request renews it (sliding)"},
    "session_max_age_hours": {"type": "integer", "minimum": 1, "maximum": 720, "default": 12,
      "description": "a session ends this long after sign-in, however it is used"},
    "files_dir": {"type": "string", "default": "",
      "description": "serve the console's web files from this folder (plugins/console/web) instead of the copy built into the plugin: for working on the console without rebuilding"}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.idle_ttl = std::chrono::minutes(s.at("session_ttl_minutes").as_int64());
  c.max_age = std::chrono::hours(s.at("session_max_age_hours").as_int64());
  c.files_dir = std::string(s.at("files_dir").as_string());
  return c;
}

}  // namespace console
