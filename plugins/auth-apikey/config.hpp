#pragma once
// auth-apikey's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>

namespace apikey {

struct Config {
  int grace_max_hours = 168;                       ///< rotation grace window cap
  std::chrono::milliseconds last_used_flush{5000};  ///< batch interval for last_used_at
  std::size_t cache_max_entries = 100000;           ///< verified keys kept in memory
  std::chrono::milliseconds negative_ttl{30000};    ///< how long an unknown key stays unknown
};

boost::json::value config_schema();
Config parse_config(const boost::json::object& section);

}  // namespace apikey
