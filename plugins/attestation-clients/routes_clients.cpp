// API clients, the seed's seven endpoints under
// /management/v1/services/:serviceId/api-clients, and key verification for
// attestation services: POST /management/v1/api-clients/verify.
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/routes.hpp"
#include "ids.hpp"
#include "input.hpp"
#include "operations.hpp"
#include "routes.hpp"
#include "views.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation {
namespace {

constexpr int kKeysPerClient = 2;  // two keys, so a caller can rotate between them

std::string key_aad(const std::string& client_id, int position) {
  return "attestation client key\n" + client_id + "\n" + std::to_string(position);
}

/// 400 unless the tenant may hold a client of `product_id`: a product of the
/// service, and for an attestation product the tenant's current plan.
void check_product(const Deps& d, soci::session& tx, const std::string& tenant, const Service& service,
                   const std::string& product_id) {
  const Product* product = service.product(product_id);
  if (!product) throw sdk::ApiError::invalid_input("product_id: not a product of service " + service.name, "product_id");
  if (product->type != "attestation") return;  // management products come with every plan
  const Product& plan = current_plan(d.config, service, d.store.subscription(tx, tenant, service.id));
  if (plan.id != product->id)
    throw sdk::ApiError::invalid_input("product_id: the tenant is subscribed to the " + plan.name + " plan of " +
                                           service.name + ", not " + product->name,
                                       "product_id");
}

/// 400 naming the first policy id that is not one of the tenant's policies for `service`.
void check_policies(const Deps& d, soci::session& tx, const std::string& tenant, const Service& service,
                    const std::vector<std::string>& policy_ids) {
  for (std::size_t i = 0; i < policy_ids.size(); ++i) {
    auto policy = d.store.find_policy(tx, tenant, policy_ids[i]);
    std::string field = "policy_ids[" + std::to_string(i) + "]";
    if (!policy) throw sdk::ApiError::invalid_input(field + ": no such policy", field);
    if (policy->service_id != service.id)
      throw sdk::ApiError::invalid_input(field + ": the policy belongs to another service", field);
  }
}

std::string client_id_of(const sdk::Request& req) {
  auto id = canonical_uuid(req.param("apiClientId"));
  if (!id) throw sdk::ApiError::not_found("API client not found");
  return *id;
}

ClientRow find_or_404(const Deps& d, soci::session& s, const sdk::Request& req, const Service& service) {
  auto row = d.store.find_client(s, req.caller().tenant_id, service.id, client_id_of(req));
  if (!row) throw sdk::ApiError::not_found("API client not found");
  return *row;
}

}  // namespace

void register_client_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, std::string(kBase) + "/services/:serviceId/api-clients", {"attestation"}};

  // The kernel checks each route's input against its operation (operations.cpp) before the handler runs.
  api.operation(operations::attestation_clients_list(), "GET", "", "attestation:read", "LIST_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            std::optional<std::vector<std::string>> products;
            if (auto type = req.query("productType")) {  // attestation or management (the schema's enum)
              products.emplace();
              for (auto& p : service.products)
                if (p.type == *type) products->push_back(p.id);
            }
            auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
            auto rows = d.store.list_clients(*d.ctx.database().session(), req.caller().tenant_id, service.id,
                                             products ? &*products : nullptr, page.after, page.fetch());
            auto found = sdk::finish_page(page, std::move(rows),
                                          [](const ClientRow& c) { return sdk::TimeIdKey{c.created_at, c.id}; });
            json::array out;
            for (auto& c : found.items) out.push_back(client_summary_json(d.config, c));
            auto response = sdk::Response::json(out);
            return sdk::with_next_link(response, req, d.ctx.public_url(), found.next_cursor);
          }));

  api.operation(operations::attestation_clients_create(), "POST", "", "attestation:write", "CREATE_FAILED",
          with_media_rules(Body::json, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            ClientInput in = parse_client_input(req.json_object());
            const std::string& tenant = req.caller().tenant_id;
            std::int64_t now = d.ctx.clock().now_ms();
            ClientRow row{new_uuid(d.ctx.keyring()), tenant, service.id, in.product_id, in.name,
                          in.status.value_or("Active"), now, now};
            std::vector<std::string> keys;
            std::vector<SealedKey> sealed;
            for (int i = 0; i < kKeysPerClient; ++i) {
              keys.push_back(new_client_key(d.ctx.keyring()));
              sealed.push_back({d.verifier.key_mac(keys.back()), d.ctx.keyring().seal(kKeyPurpose, keys.back(), key_aad(row.id, i))});
            }
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, tenant);
              check_product(d, tx, tenant, service, in.product_id);
              check_policies(d, tx, tenant, service, in.collections.policy_ids);
              d.store.insert_client(tx, row, sealed, in.collections);
            });
            return sdk::Response::json(client_json(d.config, row, keys, in.collections), 201);
          }));

  api.operation(operations::attestation_clients_get(), "GET", "/:apiClientId", "attestation:read", "GET_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            auto s = d.ctx.database().session();
            ClientRow row = find_or_404(d, *s, req, service);
            std::vector<std::string> keys;
            auto sealed = d.store.sealed_keys(*s, row.id);
            for (std::size_t i = 0; i < sealed.size(); ++i)
              keys.push_back(d.ctx.keyring().open(kKeyPurpose, sealed[i], key_aad(row.id, static_cast<int>(i))));
            return sdk::Response::json(client_json(d.config, row, keys, d.store.collections(*s, row.id)));
          }));

  api.operation(operations::attestation_clients_update(), "PUT", "/:apiClientId", "attestation:write", "UPDATE_FAILED",
          with_media_rules(Body::json, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            const std::string& tenant = req.caller().tenant_id;
            ClientRow row;
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, tenant);
              row = find_or_404(d, tx, req, service);  // before the checks against the tenant's data
              ClientInput in = parse_client_input(req.json_object());
              check_product(d, tx, tenant, service, in.product_id);
              check_policies(d, tx, tenant, service, in.collections.policy_ids);
              row.name = in.name;
              row.product_id = in.product_id;
              if (in.status) row.status = *in.status;
              row.updated_at = d.ctx.clock().now_ms();
              d.store.update_client(tx, row, in.collections);
              d.ctx.events().publish(tx, kClientChangedTopic, row.id);
            });
            return sdk::Response::json(client_summary_json(d.config, row));
          }));

  api.operation(operations::attestation_clients_delete(), "DELETE", "/:apiClientId", "attestation:write",
          "DELETE_FAILED", with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, req.caller().tenant_id);
              ClientRow row = find_or_404(d, tx, req, service);
              d.store.delete_client(tx, row.id);
              d.ctx.events().publish(tx, kClientChangedTopic, row.id);
            });
            return sdk::Response::empty(204);
          }));

  api.operation(operations::attestation_clients_get_policies(), "GET", "/:apiClientId/policies", "attestation:read",
          "GET_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            auto s = d.ctx.database().session();
            ClientRow row = find_or_404(d, *s, req, service);
            return sdk::Response::json({{"policy_ids", policy_ids_json(d.store.collections(*s, row.id).policy_ids)}});
          }));

  api.operation(operations::attestation_clients_get_tags(), "GET", "/:apiClientId/tags", "attestation:read",
          "GET_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            const Service& service = service_of(d.config, req);
            auto s = d.ctx.database().session();
            ClientRow row = find_or_404(d, *s, req, service);
            return sdk::Response::json({{"tags", tags_json(d.config, d.store.collections(*s, row.id).tags)}});
          }));

  // Attestation services check a presented key here; a cached key costs no database round trip.
  const sdk::RouteGroup verify_api{d.ctx, std::string(kBase) + "/api-clients", {"attestation"}};
  sdk::RouteSpec verify;
  verify.method = "POST";
  verify.path = "/verify";
  verify.scope = "attestation:verify";
  verify.may_block = false;
  verify.handler = with_media_rules(Body::json, [d](const sdk::Request& req) {
    auto body = req.json_object();
    auto owner = d.verifier.find(req, body.at("key").as_string());
    if (!owner) throw sdk::ApiError(401, "INVALID_API_CLIENT_KEY", "the key is not an API client key");
    return sdk::Response::json(verified_json(d.config, *owner));
  });
  verify_api.operation(operations::attestation_clients_verify_key(), std::move(verify), "VERIFY_FAILED");
}

}  // namespace attestation
