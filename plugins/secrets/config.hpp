#pragma once
// The secrets plugin's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace secrets {

struct Config {
  std::string sink = "directory";  ///< directory | webhook | service
  std::string directory;           ///< directory sink root; "" = <data_dir>/runtime
  std::string webhook_url;         ///< http://host:port/path
  std::string webhook_secret_env;  ///< environment variable holding the HMAC key
  std::chrono::milliseconds webhook_timeout{5000};
  std::chrono::milliseconds retry_base{1000};  ///< first retry after a failed sync; doubles each time
  std::chrono::milliseconds retry_max{60000};
  std::size_t max_value_bytes = 65536;
};

boost::json::value config_schema();
/// Throws std::invalid_argument for an inconsistent sink section.
Config parse_config(const boost::json::object& section);

}  // namespace secrets
