#include "config.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace projects {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "region": {"type": "string", "minLength": 1, "default": "local",
               "description": "the region projects are provisioned in (reported by provisioning-status)"},
    "auto_provision": {"type": "boolean", "default": true,
                       "description": "provision on create; false leaves new projects not_provisioned until a reprovision"},
    "reprovision_collapse_ms": {"type": "integer", "minimum": 0, "default": 2000,
                                "description": "a reprovision this soon after another, while its job runs, answers that job (collapsed)"},
    "provision_max_attempts": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5,
                               "description": "retries of a provisioning job on infrastructure errors"},
    "last_used_flush_ms": {"type": "integer", "minimum": 100, "default": 5000,
                           "description": "how often project keys' last_used_at is written, in batches"},
    "cache_max_entries": {"type": "integer", "minimum": 100, "default": 100000,
                          "description": "verified project keys and projects cached in memory"},
    "negative_cache_ttl_ms": {"type": "integer", "minimum": 0, "default": 30000,
                              "description": "how long an unknown project key is remembered as unknown"},
    "testing": {"type": "object", "description": "test deployments only; refused unless AMBIT_TESTING=1", "properties": {
      "fail_step": {"type": "string", "default": "", "description": "a lifecycle step name to fail"},
      "fail_times": {"type": "integer", "minimum": 0, "default": 0,
                     "description": "fail it on each project's first N provisioning runs"}
    }}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.region = std::string(s.at("region").as_string());
  c.auto_provision = s.at("auto_provision").as_bool();
  c.reprovision_collapse = std::chrono::milliseconds(s.at("reprovision_collapse_ms").as_int64());
  c.provision_max_attempts = static_cast<int>(s.at("provision_max_attempts").as_int64());
  c.last_used_flush = std::chrono::milliseconds(s.at("last_used_flush_ms").as_int64());
  c.cache_max_entries = static_cast<std::size_t>(s.at("cache_max_entries").as_int64());
  c.negative_ttl = std::chrono::milliseconds(s.at("negative_cache_ttl_ms").as_int64());
  const auto& testing = s.at("testing").as_object();
  c.fail_step = std::string(testing.at("fail_step").as_string());
  c.fail_times = static_cast<int>(testing.at("fail_times").as_int64());
  const char* allowed = std::getenv("AMBIT_TESTING");
  if (!c.fail_step.empty() && (!allowed || std::string_view(allowed) != "1"))
    throw std::invalid_argument(
        "testing.fail_step is a test-only fault switch; it is refused unless the environment sets AMBIT_TESTING=1");
  return c;
}

}  // namespace projects
