#include "input.hpp"

#include <regex>
#include <set>

#include "ambit/sdk/error.hpp"
#include "ids.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation {
namespace {

constexpr std::size_t kMaxNameLength = 128;
constexpr std::size_t kMaxPolicies = 50;
constexpr std::size_t kMaxTags = 50;

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw sdk::ApiError::invalid_input(field + ": " + message, field);
}

std::string required_string(const json::object& body, const std::string& field) {
  auto* v = body.if_contains(field);
  if (!v || v->is_null()) invalid(field, "is required");
  if (!v->is_string()) invalid(field, "must be a string");
  return std::string(v->as_string());
}

bool has_control_characters(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

/// 1..128 characters, not blank, no control characters.
std::string display_name(const json::object& body, const std::string& field) {
  std::string name = required_string(body, field);
  if (name.find_first_not_of(' ') == std::string::npos) invalid(field, "must not be empty");
  if (name.size() > kMaxNameLength) invalid(field, "must be at most 128 characters");
  if (has_control_characters(name)) invalid(field, "must not contain control characters");
  return name;
}

std::string uuid_field(const json::value& v, const std::string& field) {
  if (!v.is_string()) invalid(field, "must be a UUID string");
  auto id = canonical_uuid(v.as_string());
  if (!id) invalid(field, "must be a UUID");
  return *id;
}

const json::array* optional_array(const json::object& body, const std::string& field) {
  auto* v = body.if_contains(field);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) invalid(field, "must be an array");
  return &v->as_array();
}

Tag parse_tag(const json::value& v, const std::string& field) {
  static const std::regex key_rule("[A-Za-z0-9_-]{1,64}");
  if (!v.is_object()) invalid(field, "must be an object with key and value");
  const auto& o = v.as_object();
  auto* key = o.if_contains("key");
  if (!key || !key->is_string()) invalid(field + ".key", "is required and must be a string");
  Tag tag{std::string(key->as_string()), {}};
  if (!std::regex_match(tag.key, key_rule)) invalid(field + ".key", "must match ^[A-Za-z0-9_-]{1,64}$");
  auto* value = o.if_contains("value");
  if (!value || !value->is_string()) invalid(field + ".value", "is required and must be a string");
  tag.value = std::string(value->as_string());
  if (tag.value.empty() || tag.value.size() > 64) invalid(field + ".value", "must be 1 to 64 characters");
  if (has_control_characters(tag.value)) invalid(field + ".value", "must not contain control characters");
  return tag;
}

}  // namespace

ClientInput parse_client_input(const json::object& body) {
  ClientInput in;
  in.name = display_name(body, "name");
  auto* product = body.if_contains("product_id");
  if (!product || product->is_null()) invalid("product_id", "is required");
  in.product_id = uuid_field(*product, "product_id");
  if (auto* status = body.if_contains("status"); status && !status->is_null()) {
    if (!status->is_string() || (status->as_string() != "Active" && status->as_string() != "Inactive"))
      invalid("status", "must be \"Active\" or \"Inactive\"");
    in.status = std::string(status->as_string());
  }
  if (auto* policies = optional_array(body, "policy_ids")) {
    if (policies->size() > kMaxPolicies) invalid("policy_ids", "at most 50 policies");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < policies->size(); ++i) {
      std::string field = "policy_ids[" + std::to_string(i) + "]";
      std::string id = uuid_field((*policies)[i], field);
      if (!seen.insert(id).second) invalid(field, "is listed twice");
      in.collections.policy_ids.push_back(id);
    }
  }
  if (auto* tags = optional_array(body, "tags")) {
    if (tags->size() > kMaxTags) invalid("tags", "at most 50 tags");
    for (std::size_t i = 0; i < tags->size(); ++i)
      in.collections.tags.push_back(parse_tag((*tags)[i], "tags[" + std::to_string(i) + "]"));
  }
  return in;
}

PolicyInput parse_policy_input(const json::object& body, std::size_t max_policy_bytes) {
  PolicyInput in;
  in.name = display_name(body, "name");
  auto* service = body.if_contains("service_id");
  if (!service || service->is_null()) invalid("service_id", "is required");
  in.service_id = uuid_field(*service, "service_id");
  in.policy = required_string(body, "policy");
  if (in.policy.empty()) invalid("policy", "must not be empty");
  if (in.policy.size() > max_policy_bytes)
    invalid("policy", "must be at most " + std::to_string(max_policy_bytes) + " bytes");
  return in;
}

std::string parse_subscription_input(const json::object& body) {
  auto* product = body.if_contains("product_id");
  if (!product || product->is_null()) invalid("product_id", "is required");
  return uuid_field(*product, "product_id");
}

}  // namespace attestation
