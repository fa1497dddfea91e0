#include "input.hpp"

#include <set>

#include "ambit/sdk/error.hpp"
#include "ids.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw sdk::ApiError::invalid_input(field + ": " + message, field);
}

/// A UUID the schema has checked, in its canonical (lower-case) form.
std::string uuid_of(const json::value& v) { return canonical_uuid(v.as_string()).value(); }

/// An optional list the schema has checked: nullptr when absent or null.
const json::array* optional_array(const json::object& body, std::string_view field) {
  auto* v = body.if_contains(field);
  return v && !v->is_null() ? &v->as_array() : nullptr;
}

}  // namespace

ClientInput parse_client_input(const json::object& body) {
  ClientInput in;
  in.name = std::string(body.at("name").as_string());
  in.product_id = uuid_of(body.at("product_id"));
  if (auto* status = body.if_contains("status"); status && !status->is_null())
    in.status = std::string(status->as_string());
  if (auto* policies = optional_array(body, "policy_ids")) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < policies->size(); ++i) {
      std::string id = uuid_of((*policies)[i]);
      if (!seen.insert(id).second) invalid("policy_ids[" + std::to_string(i) + "]", "is listed twice");
      in.collections.policy_ids.push_back(id);
    }
  }
  if (auto* tags = optional_array(body, "tags"))
    for (auto& t : *tags)
      in.collections.tags.push_back({std::string(t.at("key").as_string()), std::string(t.at("value").as_string())});
  return in;
}

PolicyInput parse_policy_input(const json::object& body, std::size_t max_policy_bytes) {
  PolicyInput in;
  in.name = std::string(body.at("name").as_string());
  in.service_id = uuid_of(body.at("service_id"));
  in.policy = std::string(body.at("policy").as_string());
  if (in.policy.size() > max_policy_bytes)
    invalid("policy", "must be at most " + std::to_string(max_policy_bytes) + " bytes");
  return in;
}

std::string parse_subscription_input(const json::object& body) { return uuid_of(body.at("product_id")); }

}  // namespace attestation
