// A tenant's attestation policies: POST/GET /management/v1/policies,
// GET/DELETE /management/v1/policies/:policyId. API clients refer to them by id.
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

/// The canonical id of the path's :policyId; 404 when it is not a UUID.
std::string policy_id_of(const sdk::Request& req) {
  auto id = canonical_uuid(req.param("policyId"));
  if (!id) throw sdk::ApiError::not_found("policy not found");
  return *id;
}

}  // namespace

void register_policy_routes(const Deps& d) {
  const sdk::RouteGroup api{d.ctx, std::string(kBase) + "/policies", {"attestation"}};

  // The kernel checks each route's input against its operation (operations.cpp) before the handler runs.
  api.operation(operations::attestation_policies_create(d.config), "POST", "", "attestation:write", "CREATE_FAILED",
          with_media_rules(Body::json, [d](const sdk::Request& req) {
            PolicyInput in = parse_policy_input(req.json_object(), d.config.max_policy_bytes);
            if (!d.config.service(in.service_id))
              throw sdk::ApiError::invalid_input("service_id: no such service", "service_id");
            const std::string& tenant = req.caller().tenant_id;
            std::int64_t now = d.ctx.clock().now_ms();
            PolicyRow row{new_uuid(d.ctx.keyring()), tenant, in.service_id, in.name, in.policy, now, now};
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, tenant);
              if (d.store.policy_name_taken(tx, tenant, row.name))
                throw sdk::ApiError::conflict("NAME_TAKEN", "name: a policy with this name exists", {{"field", "name"}});
              d.store.insert_policy(tx, row);
            });
            return sdk::Response::json(policy_json(row), 201);
          }));

  api.operation(operations::attestation_policies_list(), "GET", "", "attestation:read", "LIST_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            std::string service;  // the schema has checked that it is a UUID
            if (auto filter = req.query("serviceId")) service = canonical_uuid(*filter).value();
            auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);
            auto rows = d.store.list_policies(*d.ctx.database().session(), req.caller().tenant_id, service,
                                              page.after, page.fetch());
            auto found = sdk::finish_page(page, std::move(rows),
                                          [](const PolicyRow& p) { return sdk::TimeIdKey{p.created_at, p.id}; });
            json::array out;
            for (auto& p : found.items) out.push_back(policy_json(p));
            auto response = sdk::Response::json(out);
            return sdk::with_next_link(response, req, d.ctx.public_url(), found.next_cursor);
          }));

  api.operation(operations::attestation_policies_get(), "GET", "/:policyId", "attestation:read", "GET_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            auto p = d.store.find_policy(*d.ctx.database().session(), req.caller().tenant_id, policy_id_of(req));
            if (!p) throw sdk::ApiError::not_found("policy not found");
            return sdk::Response::json(policy_json(*p));
          }));

  api.operation(operations::attestation_policies_delete(), "DELETE", "/:policyId", "attestation:write", "DELETE_FAILED",
          with_media_rules(Body::none, [d](const sdk::Request& req) {
            std::string id = policy_id_of(req);
            const std::string& tenant = req.caller().tenant_id;
            d.ctx.database().transaction([&](soci::session& tx) {
              lock_tenant(d.ctx, tx, tenant);
              if (!d.store.find_policy(tx, tenant, id)) throw sdk::ApiError::not_found("policy not found");
              auto users = d.store.clients_using(tx, id);
              if (!users.empty())
                throw sdk::ApiError::conflict("POLICY_IN_USE", "the policy is attached to API clients; detach it first",
                                              {{"api_client_ids", policy_ids_json(users)}});
              d.store.delete_policy(tx, id);
            });
            return sdk::Response::empty(204);
          }));
}

}  // namespace attestation
