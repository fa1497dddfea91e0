#pragma once
// The mcp plugin's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace mcp {

struct Config {
  std::string tool_prefix = "amba";          ///< tool names are <prefix>_<resource>_<action>
  std::vector<std::string> allowed_origins;  ///< empty: public_url's origin (known once the server listens)
  int max_sessions_per_credential = 32;
  std::chrono::milliseconds session_idle{std::chrono::hours(1)};
  std::size_t max_message_bytes = 1 << 20;
  int tools_page_size = 50;
  std::chrono::milliseconds progress_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds progress_interval{250};
  int max_progress_calls = 64;  ///< calls waiting for their work at once, per process
};

boost::json::value config_schema();
Config parse_config(const boost::json::object& section);
/// "https://host:port" of an absolute URL (its scheme, host and port), or "".
std::string origin_of(const std::string& url);

}  // namespace mcp
