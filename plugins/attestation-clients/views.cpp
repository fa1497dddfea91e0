#include "views.hpp"

#include "ambit/sdk/time.hpp"

namespace json = boost::json;

namespace attestation {

json::object service_json(const Service& s) {
  json::array products;
  for (auto& p : s.products) products.push_back(product_json(s, p));
  return {{"id", s.id}, {"name", s.name}, {"products", std::move(products)}};
}

json::object product_json(const Service& s, const Product& p) {
  return {{"id", p.id}, {"name", p.name}, {"product_type", p.type}, {"service_id", s.id}};
}

json::object subscription_json(const Service& s, const Product& plan, const Subscription* sub) {
  auto time = [&](std::int64_t ms) { return sub ? json::value(ambit::sdk::format_time(ms)) : json::value(nullptr); };
  return {{"service_id", s.id},
          {"service_offer_name", s.name},
          {"product_id", plan.id},
          {"product_name", plan.name},
          {"status", "Active"},
          {"created_at", time(sub ? sub->created_at : 0)},
          {"updated_at", time(sub ? sub->updated_at : 0)}};
}

json::object policy_json(const PolicyRow& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"service_id", p.service_id},
          {"policy", p.policy},
          {"created_at", ambit::sdk::format_time(p.created_at)},
          {"updated_at", ambit::sdk::format_time(p.updated_at)}};
}

namespace {

/// The catalog names of a client's service and product; "" for what the
/// catalog no longer lists.
struct Names {
  std::string service, product, product_type;
};

Names names_of(const Config& config, const ClientRow& c) {
  const Service* service = config.service(c.service_id);
  const Product* product = service ? service->product(c.product_id) : nullptr;
  return {service ? service->name : "", product ? product->name : "", product ? product->type : ""};
}

}  // namespace

json::object client_summary_json(const Config& config, const ClientRow& c) {
  Names names = names_of(config, c);
  return {{"created_at", ambit::sdk::format_time(c.created_at)},
          {"id", c.id},
          {"name", c.name},
          {"product_id", c.product_id},
          {"product_name", names.product},
          {"product_type", names.product_type},
          {"service_id", c.service_id},
          {"status", c.status}};
}

json::object client_json(const Config& config, const ClientRow& c, const std::vector<std::string>& keys,
                         const ClientCollections& collections) {
  json::object o = client_summary_json(config, c);
  o["service_offer_name"] = names_of(config, c).service;
  json::array key_list;
  for (auto& k : keys) key_list.emplace_back(k);
  o["keys"] = std::move(key_list);
  o["policy_ids"] = policy_ids_json(collections.policy_ids);
  o["tags"] = tags_json(config, collections.tags);
  return o;
}

json::object verified_json(const Config& config, const KeyOwner& owner) {
  const ClientRow& c = owner.client;
  Names names = names_of(config, c);
  return {{"api_client_id", c.id},
          {"tenant_id", c.tenant_id},
          {"service_id", c.service_id},
          {"service_offer_name", names.service},
          {"product_id", c.product_id},
          {"product_name", names.product},
          {"product_type", names.product_type},
          {"policy_ids", policy_ids_json(owner.policy_ids)},
          {"status", c.status}};
}

json::array policy_ids_json(const std::vector<std::string>& ids) {
  json::array out;
  for (auto& id : ids) out.emplace_back(id);
  return out;
}

json::array tags_json(const Config& config, const std::vector<Tag>& tags) {
  json::array out;
  for (auto& t : tags) out.push_back(json::object{{"key", t.key}, {"value", t.value}, {"predefined", config.predefined(t.key)}});
  return out;
}

}  // namespace attestation
