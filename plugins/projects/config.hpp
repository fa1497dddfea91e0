#pragma once
// The projects plugin's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace projects {

struct Config {
  std::string region = "local";                  ///< where every project is provisioned
  bool auto_provision = true;                    ///< false: created not_provisioned
  std::chrono::milliseconds reprovision_collapse{2000};  ///< a repeat within this window joins the running job
  int provision_max_attempts = 5;                ///< job retries on infrastructure errors
  std::chrono::milliseconds last_used_flush{5000};
  std::size_t cache_max_entries = 100000;
  std::chrono::milliseconds negative_ttl{30000};
  // Test deployments only (refused unless AMBIT_TESTING=1): fail this
  // lifecycle step on each project's first `fail_times` provisioning runs.
  std::string fail_step;
  int fail_times = 0;
};

boost::json::value config_schema();
/// Throws std::invalid_argument for the fault switch outside a test deployment.
Config parse_config(const boost::json::object& section);

}  // namespace projects
