#pragma once
// The console plugin's config section.
#include <boost/json.hpp>

#include <chrono>
#include <string>

namespace console {

struct Config {
  std::chrono::milliseconds idle_ttl{};  ///< a session without a request this long has ended (sliding)
  std::chrono::milliseconds max_age{};   ///< a session ends this long after sign-in, however used
  std::string files_dir;                 ///< serve the web files from here instead of the embedded copy
};

boost::json::value config_schema();
Config parse_config(const boost::json::object& section);

}  // namespace console
