#include "config.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "ids.hpp"

namespace attestation {

const Product* Service::product(const std::string& product_id) const {
  for (auto& p : products)
    if (p.id == product_id) return &p;
  return nullptr;
}

const Product* Service::product_named(const std::string& product_name) const {
  for (auto& p : products)
    if (p.name == product_name && p.type == "attestation") return &p;
  return nullptr;
}

const Service* Config::service(const std::string& service_id) const {
  for (auto& s : services)
    if (s.id == service_id) return &s;
  return nullptr;
}

bool Config::predefined(const std::string& tag_key) const {
  return std::find(predefined_tags.begin(), predefined_tags.end(), tag_key) != predefined_tags.end();
}

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "services": {"type": "array", "description": "the service catalog: each service's products are its plans (type attestation) and its management products",
      "items": {"type": "object", "required": ["id", "name", "products"], "properties": {
        "id": {"type": "string", "description": "UUID"},
        "name": {"type": "string"},
        "products": {"type": "array", "items": {"type": "object", "required": ["id", "name"], "properties": {
          "id": {"type": "string", "description": "UUID"},
          "name": {"type": "string"},
          "type": {"type": "string", "enum": ["attestation", "management"], "default": "attestation"}
        }}}
      }},
      "default": [
        {"id": "a54ebfdb-4169-404f-9624-015ed180b9b4", "name": "SGX Attestation", "products": [
          {"id": "046d85c3-4045-4831-8cd0-62e919989daa", "name": "Basic", "type": "attestation"},
          {"id": "34ee4b3f-22d4-42e2-bc26-b65f5cb8fc19", "name": "Premium", "type": "attestation"}]},
        {"id": "e64c6834-1247-4e14-9d3b-1b733df6f8eb", "name": "TDX Attestation", "products": [
          {"id": "97deeacc-5af7-474c-b7c4-0913d09a403d", "name": "Basic", "type": "attestation"},
          {"id": "f72f07fb-20fe-47b4-8080-8bf3235bf09f", "name": "Premium", "type": "attestation"}]}
      ]},
    "default_plan": {"type": "string", "default": "Premium", "description": "the plan (attestation product name) every tenant is subscribed to until it switches"},
    "predefined_tags": {"type": "array", "items": {"type": "string"}, "default": ["Workload"],
                        "description": "tag keys shown with predefined: true; tenants may use other keys too"},
    "max_policy_bytes": {"type": "integer", "minimum": 1, "maximum": 1048576, "default": 65536},
    "verify_cache_entries": {"type": "integer", "minimum": 100, "default": 100000,
                             "description": "API client keys kept in memory for POST /management/v1/api-clients/verify"}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  c.default_plan = std::string(s.at("default_plan").as_string());
  for (auto& t : s.at("predefined_tags").as_array()) c.predefined_tags.emplace_back(t.as_string());
  c.max_policy_bytes = static_cast<std::size_t>(s.at("max_policy_bytes").as_int64());
  c.verify_cache_entries = static_cast<std::size_t>(s.at("verify_cache_entries").as_int64());
  std::set<std::string> ids;
  auto take_id = [&ids](const boost::json::value& v, const std::string& where) {
    auto id = canonical_uuid(v.as_string());
    if (!id) throw std::invalid_argument(where + ".id must be a UUID");
    if (!ids.insert(*id).second) throw std::invalid_argument(where + ".id " + *id + " is used twice");
    return *id;
  };
  const auto& services = s.at("services").as_array();
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& so = services[i].as_object();
    std::string where = "services[" + std::to_string(i) + "]";
    Service service{take_id(so.at("id"), where), std::string(so.at("name").as_string()), {}};
    const auto& products = so.at("products").as_array();
    for (std::size_t j = 0; j < products.size(); ++j) {
      const auto& po = products[j].as_object();
      service.products.push_back({take_id(po.at("id"), where + ".products[" + std::to_string(j) + "]"),
                                  std::string(po.at("name").as_string()), std::string(po.at("type").as_string())});
    }
    std::set<std::string> names;
    for (auto& p : service.products)
      if (!names.insert(p.name).second)
        throw std::invalid_argument(where + " has two products named \"" + p.name + "\"");
    if (!service.product_named(c.default_plan))
      throw std::invalid_argument(where + " has no attestation product named after default_plan \"" +
                                  c.default_plan + "\"");
    c.services.push_back(std::move(service));
  }
  return c;
}

}  // namespace attestation
