// GET /management/v1/services[/:serviceId[/products]] and a tenant's plan per
// service: GET/PUT /management/v1/services/:serviceId/subscription.
#include "ambit/sdk/routes.hpp"
#include "ids.hpp"
#include "input.hpp"
#include "media.hpp"
#include "operations.hpp"
#include "routes.hpp"
#include "views.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation {

sdk::Handler with_media_rules(Body body, sdk::Handler handler) {
  return [body, handler = std::move(handler)](const sdk::Request& req) {
    require_json_accept(req);
    if (body == Body::json) require_json_content_type(req);
    return handler(req);
  };
}

const Service& service_of(const Config& config, const sdk::Request& req) {
  auto id = canonical_uuid(req.param("serviceId"));
  const Service* service = id ? config.service(*id) : nullptr;
  if (!service) throw sdk::ApiError::not_found("service not found");
  return *service;
}

const Product& current_plan(const Config& config, const Service& service, const std::optional<Subscription>& sub) {
  if (sub)
    if (const Product* p = service.product(sub->product_id)) return *p;
  return *service.product_named(config.default_plan);  // parse_config guarantees it
}

void lock_tenant(sdk::Context& ctx, soci::session& tx, const std::string& tenant) {
  ctx.database().lock_in_transaction(tx, "attestation-clients:" + tenant);
}

void register_catalog_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, std::string(kBase) + "/services", {"attestation"}};
  const Config& config = d.config;

  // The kernel checks each route's input against its operation (operations.cpp) before the handler runs.
  api.operation(operations::attestation_services_list(), "GET", "", "attestation:read", "LIST_FAILED",
          with_media_rules(Body::none, [&config](const sdk::Request&) {
            json::array out;
            for (auto& s : config.services) out.push_back(service_json(s));
            return sdk::Response::json(out);
          }));

  api.operation(operations::attestation_services_get(), "GET", "/:serviceId", "attestation:read", "GET_FAILED",
          with_media_rules(Body::none, [&config](const sdk::Request& req) {
            return sdk::Response::json(service_json(service_of(config, req)));
          }));

  api.operation(operations::attestation_products_list(), "GET", "/:serviceId/products", "attestation:read",
          "LIST_FAILED",
          with_media_rules(Body::none, [&config](const sdk::Request& req) {
            const Service& s = service_of(config, req);
            json::array out;
            for (auto& p : s.products) out.push_back(product_json(s, p));
            return sdk::Response::json(out);
          }));

  api.operation(operations::attestation_subscriptions_get(), "GET", "/:serviceId/subscription", "attestation:read",
          "GET_FAILED", with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& s = service_of(d.config, req);
            auto sub = d.store.subscription(*d.ctx.database().session(), req.caller().tenant_id, s.id);
            return sdk::Response::json(subscription_json(s, current_plan(d.config, s, sub), sub ? &*sub : nullptr));
          }));

  api.operation(operations::attestation_subscriptions_set(), "PUT", "/:serviceId/subscription", "attestation:write",
          "UPDATE_FAILED", with_media_rules(Body::json, [d](const sdk::Request& req) {
            const Service& s = service_of(d.config, req);
            std::string product_id = parse_subscription_input(req.json_object());
            const Product* plan = s.product(product_id);
            if (!plan || plan->type != "attestation")
              throw sdk::ApiError::invalid_input("product_id: not a plan of service " + s.name, "product_id");
            const std::string& tenant = req.caller().tenant_id;
            Subscription saved;
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, tenant);
              auto old = d.store.subscription(tx, tenant, s.id);
              const Product& from = current_plan(d.config, s, old);
              std::int64_t now = d.ctx.clock().now_ms();
              if (from.id != plan->id)
                for (auto& moved : d.store.move_clients(tx, tenant, s.id, from.id, plan->id, now))
                  d.ctx.events().publish(tx, kClientChangedTopic, moved);
              saved = {plan->id, old ? old->created_at : now, now};
              d.store.save_subscription(tx, tenant, s.id, saved);
            });
            return sdk::Response::json(subscription_json(s, *plan, &saved));
          }));
}

}  // namespace attestation
