#include "config.hpp"

namespace apikey {

boost::json::value config_schema() {
  return boost::json::parse(R"({"type": "object", "properties": {
    "grace_max_hours": {"type": "integer", "minimum": 0, "maximum": 8760, "default": 168,
                        "description": "largest grace_period_hours a rotation accepts"},
    "last_used_flush_ms": {"type": "integer", "minimum": 100, "default": 5000,
                           "description": "how often last_used_at is written, in batches"},
    "cache_max_entries": {"type": "integer", "minimum": 100, "default": 100000,
                          "description": "verified keys cached in memory"},
    "negative_cache_ttl_ms": {"type": "integer", "minimum": 0, "default": 30000,
                              "description": "how long an unknown key is remembered as unknown"}
  }})");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.grace_max_hours = static_cast<int>(s.at("grace_max_hours").as_int64());
  c.last_used_flush = std::chrono::milliseconds(s.at("last_used_flush_ms").as_int64());
  c.cache_max_entries = static_cast<std::size_t>(s.at("cache_max_entries").as_int64());
  c.negative_ttl = std::chrono::milliseconds(s.at("negative_cache_ttl_ms").as_int64());
  return c;
}

}  // namespace apikey
