#include "schemas.hpp"

#include "ambit/sdk/operation.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation::schemas {
namespace {

/// A UUID in the path. Not constrained: one that is not a UUID answers 404 like an unknown one.
json::value path_id(std::string_view description) {
  return {{"type", "string"},
          {"format", "uuid"},
          {"description", std::string(description) + " (either case; one that is not a UUID answers 404)"}};
}

/// A client's product type as answered: "" for a product the catalog no longer lists.
json::value client_product_type() {
  return {{"type", "string"},
          {"enum", {"attestation", "management", ""}},
          {"description", "the product's type; \"\" when the catalog no longer lists it"}};
}

}  // namespace

/// An object schema whose every property is required (the shape of every body this plugin answers).
json::value all_required(const json::object& props) {
  json::array required;
  for (const auto& [name, _] : props) required.push_back(json::string(name));
  return {{"type", "object"}, {"required", std::move(required)}, {"properties", props}};
}

/// `schema` (from all_required) with more required properties.
json::value extended(json::value schema, const json::object& more) {
  auto& o = schema.as_object();
  for (const auto& [name, s] : more) {
    o["properties"].as_object()[name] = s;
    o["required"].as_array().push_back(json::string(name));
  }
  return schema;
}

json::value text(std::string_view description) { return {{"type", "string"}, {"description", description}}; }


/// A UUID in a body or a query: 8-4-4-4-12 hex digits, either case (answered in lower case).
json::value uuid(std::string_view description, std::string_view example) {
  return {{"type", "string"},
          {"pattern", "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"},
          {"format", "uuid"},
          {"examples", json::array{json::string(example)}},
          {"description", description}};
}

/// An id the plugin answers: a lower-case UUID.
json::value id(std::string_view description) { return {{"type", "string"}, {"format", "uuid"}, {"description", description}}; }

json::value service_params() { return all_required({{"serviceId", path_id("the service's id, from the catalog")}}); }
json::value client_params() {
  return extended(service_params(), {{"apiClientId", path_id("the API client's id")}});
}
json::value policy_params() { return all_required({{"policyId", path_id("the policy's id")}}); }

/// API client and policy names: 1-128 characters, not only spaces, no control characters.
json::value display_name(std::string_view description) {
  return {{"type", "string"},
          {"maxLength", 128},
          {"pattern", "^[^\\x00-\\x1f\\x7f]*[^\\x00-\\x1f\\x7f ][^\\x00-\\x1f\\x7f]*$"},
          {"description", std::string(description) + ": at most 128 characters, not only spaces, no control characters"}};
}

json::value product_type(std::string_view description) {
  return {{"type", "string"}, {"enum", {"attestation", "management"}}, {"description", description}};
}

// --- answers ----------------------------------------------------------------------------------------

json::value product() {
  return all_required({{"id", id("the product's id: an API client's product_id")},
                       {"name", text("the seed's product_name: Basic, Premium, ...")},
                       {"product_type", product_type("attestation: a plan a tenant subscribes to; management: a "
                                                     "product every plan includes")},
                       {"service_id", id("the service it belongs to")}});
}

json::value service() {
  return all_required({{"id", id("the service's id: the serviceId of the other routes")},
                       {"name", text("the seed's service_offer_name, e.g. SGX Attestation")},
                       {"products", {{"type", "array"}, {"items", product()}, {"description", "in the operator's order"}}}});
}

json::value subscription() {
  return all_required(
      {{"service_id", id("the service")},
       {"service_offer_name", text("the service's name")},
       {"product_id", id("the plan's product id")},
       {"product_name", text("the plan's name")},
       {"status", {{"const", "Active"}}},
       {"created_at", {{"type", {"string", "null"}}, {"format", "date-time"},
                       {"description", "when the tenant first chose a plan; null while on the default plan it never chose"}}},
       {"updated_at", {{"type", {"string", "null"}}, {"format", "date-time"},
                       {"description", "when the plan last changed; null while on the default plan it never chose"}}}});
}

json::value policy() {
  return all_required({{"id", id("the policy's id: an API client's policy_ids entry")},
                       {"name", text("unique among the tenant's policies")},
                       {"service_id", id("the service it is for")},
                       {"policy", text("the policy text, as given (ambit does not interpret it)")},
                       {"created_at", sdk::date_time("creation time")},
                       {"updated_at", sdk::date_time("creation time (policies have no update)")}});
}

json::value status() {
  return {{"type", "string"}, {"enum", {"Active", "Inactive"}}, {"description", "Active or Inactive"}};
}

/// What the list and PUT answer (views.cpp client_summary_json).
json::value client_summary() {
  return all_required(
      {{"created_at", sdk::date_time("creation time; never changes")},
       {"id", id("the client's id: apiClientId")},
       {"name", text("a label; not unique")},
       {"product_id", id("the client's product")},
       {"product_name", text("the product's name; \"\" when the catalog no longer lists it")},
       {"product_type", client_product_type()},
       {"service_id", id("the client's service")},
       {"status", status()}});
}

json::value policy_ids_out() {
  return {{"type", "array"}, {"items", id("a policy id")}, {"description", "the client's policies, in the order given"}};
}

json::value tags_out() {
  return {{"type", "array"},
          {"description", "the client's tags, in the order given"},
          {"items", all_required({{"key", text("the tag's key")},
                                  {"value", text("the tag's value")},
                                  {"predefined", {{"type", "boolean"},
                                                  {"description", "the key is one of the operator's predefined_tags"}}}})}};
}

/// What POST and GET of one client answer (views.cpp client_json): the summary, keys and collections.
json::value client() {
  return extended(client_summary(),
                  {{"service_offer_name", text("the service's name; \"\" when the catalog no longer lists it")},
                   {"keys", {{"type", "array"},
                             {"minItems", 2},
                             {"maxItems", 2},
                             {"items", {{"type", "string"}, {"pattern", "^[0-9a-f]{32}$"}}},
                             {"description", "the client's two keys (32 lower-case hex characters), in the same order "
                                             "on every read; anyone with attestation:read sees them"}}},
                   {"policy_ids", policy_ids_out()},
                   {"tags", tags_out()}});
}

/// The body of POST and PUT of a client. Open to other fields: a client may send back what GET answered
/// (id, keys, a tag's predefined), which is ignored.
json::value client_body(std::string_view status_description, std::string_view lists_description) {
  json::value tag = all_required(
      {{"key", {{"type", "string"}, {"pattern", "^[A-Za-z0-9_-]{1,64}$"}, {"description", "letters, digits, _ or -"}}},
       {"value", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}, {"pattern", "^[^\\x00-\\x1f\\x7f]*$"},
                  {"description", "1 to 64 characters, no control characters"}}}});
  json::value body = all_required({{"name", display_name("the client's name")},
                                   {"product_id", uuid("a product of this service: the tenant's current plan, or a "
                                                       "management product",
                                                       "34ee4b3f-22d4-42e2-bc26-b65f5cb8fc19")}});
  auto& props = body.as_object()["properties"].as_object();
  props["status"] = {{"type", {"string", "null"}}, {"enum", {"Active", "Inactive", nullptr}}, {"description", status_description}};
  props["policy_ids"] = {{"type", {"array", "null"}},
                         {"maxItems", 50},
                         {"items", uuid("one of the tenant's policies of this service", "1cf3db7d-81ea-4904-babf-fcb3501492db")},
                         {"description", "at most 50 policy ids, none twice; " + std::string(lists_description)}};
  props["tags"] = {{"type", {"array", "null"}},
                   {"maxItems", 50},
                   {"items", std::move(tag)},
                   {"description", "at most 50 tags (a key may repeat); " + std::string(lists_description)}};
  return body;
}

json::value verified() {
  return all_required({{"api_client_id", id("the client the key belongs to")},
                       {"tenant_id", text("the tenant that owns the client")},
                       {"service_id", id("the client's service")},
                       {"service_offer_name", text("the service's name; \"\" when the catalog no longer lists it")},
                       {"product_id", id("the client's product")},
                       {"product_name", text("the product's name; \"\" when the catalog no longer lists it")},
                       {"product_type", client_product_type()},
                       {"policy_ids", policy_ids_out()},
                       {"status", status()}});
}

}  // namespace attestation::schemas
