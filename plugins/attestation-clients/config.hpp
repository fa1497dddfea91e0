#pragma once
// The attestation-clients plugin's config section: the service catalog
// (services and their products, i.e. plans), the default plan and the
// predefined tag keys, parsed once into an immutable value.
#include <boost/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace attestation {

struct Product {
  std::string id;    ///< UUID
  std::string name;  ///< "Basic", "Premium", ...
  std::string type;  ///< "attestation" (a plan one subscribes to) or "management"
};

struct Service {
  std::string id;    ///< UUID
  std::string name;  ///< "SGX Attestation" (the seed's service_offer_name)
  std::vector<Product> products;

  const Product* product(const std::string& product_id) const;
  const Product* product_named(const std::string& name) const;
};

struct Config {
  std::vector<Service> services;
  std::string default_plan = "Premium";        ///< the product every tenant starts subscribed to
  std::vector<std::string> predefined_tags;    ///< tag keys marked "predefined": true
  std::size_t max_policy_bytes = 65536;
  std::size_t verify_cache_entries = 100000;

  const Service* service(const std::string& service_id) const;
  bool predefined(const std::string& tag_key) const;
};

boost::json::value config_schema();
/// Throws std::invalid_argument for an inconsistent catalog: a bad or
/// duplicate UUID, two products of one service with the same name, a service
/// without an attestation product named like default_plan.
Config parse_config(const boost::json::object& section);

}  // namespace attestation
