#pragma once
// The auth-oauth plugin's config section, parsed once into an immutable value.
#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace oauth {

struct Config {
  std::chrono::seconds access_ttl{3600};
  std::chrono::seconds code_ttl{60};
  std::chrono::seconds login_ttl{600};            ///< sign-in to consent
  bool registration_open = true;                  ///< false: POST /oauth/register needs a tenant credential
  int register_per_minute = 20;                   ///< per address
  std::size_t max_anonymous_clients = 10000;      ///< clients bound to no tenant, in all
  std::size_t max_clients_per_tenant = 100;       ///< clients bound to one tenant
  std::chrono::hours idle_client_ttl{24 * 30};    ///< unused clients are reaped; 0 = never
  std::chrono::seconds reap_interval{3600};
  std::size_t cache_max_entries = 100000;
  /// A rotated refresh token presented once more within this time still
  /// refreshes (several processes of one app sharing a token); 0 = never.
  std::chrono::seconds refresh_reuse_grace{10};
};

boost::json::value config_schema();
Config parse_config(const boost::json::object& section);

}  // namespace oauth
