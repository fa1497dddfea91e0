#pragma once
// remote-config's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <cstddef>

namespace remote_config {

struct Config {
  std::size_t max_value_bytes = 65536;     ///< a value (or condition value), serialized
  std::size_t max_keys = 1000;             ///< entries per project
  std::size_t cache_max_projects = 10000;  ///< compiled configs kept in memory
  std::size_t max_versions = 300;          ///< config versions kept per project (a job prunes older ones)
  // GET /v1/client/config/stream
  int stream_heartbeat_seconds = 15;  ///< a comment on every stream this often
  int stream_recheck_seconds = 5;     ///< each stream's credential authenticated again this often
  int stream_retry_ms = 2000;         ///< the SSE reconnect hint
};

boost::json::value config_schema();
Config parse_config(const boost::json::object& section);

}  // namespace remote_config
