#include "operations.hpp"

#include "schemas.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace attestation::operations {

using namespace schemas;

namespace {

const sdk::ErrorCase kNoService{404, "NOT_FOUND", "no such service in the catalog"};
const sdk::ErrorCase kNoClient{404, "NOT_FOUND", "no such API client of the tenant in this service"};
const sdk::ErrorCase kAccept{415, "UNSUPPORTED_MEDIA_TYPE", "Accept excludes application/json"};
const sdk::ErrorCase kMedia{415, "UNSUPPORTED_MEDIA_TYPE",
                            "Accept excludes application/json, or Content-Type is not application/json"};

constexpr std::string_view kPaged =
    " In pages (limit, cursor): the body stays a bare array and the next page's URL is in the Link header "
    "(rel=\"next\"), absent on the last page.";

}  // namespace

// --- the catalog and a tenant's plans -------------------------------------------------------------

sdk::Operation attestation_services_list() {
  return {
      .id = "attestation_services.list",
      .title = "List the attestation services",
      .description = "The service offers of the operator's catalog (e.g. SGX Attestation, TDX Attestation), each with "
                     "its products: the plans a tenant subscribes to and the management products.",
      .output = {{"type", "array"}, {"items", service()}},
      .errors = {kAccept, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_services_get() {
  return {
      .id = "attestation_services.get",
      .title = "Get an attestation service",
      .description = "One service offer of the catalog, with its products.",
      .params = service_params(),
      .output = service(),
      .errors = {kNoService, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_products_list() {
  return {
      .id = "attestation_products.list",
      .title = "List a service's products",
      .description = "A service's products: its plans (product_type attestation) and its management products.",
      .params = service_params(),
      .output = {{"type", "array"}, {"items", product()}},
      .errors = {kNoService, kAccept, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_subscriptions_get() {
  return {
      .id = "attestation_subscriptions.get",
      .title = "Get the tenant's plan for a service",
      .description = "The plan the caller's tenant is on for a service: the operator's default plan (Premium) until "
                     "the tenant switches.",
      .params = service_params(),
      .output = subscription(),
      .errors = {kNoService, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_subscriptions_set() {
  return {
      .id = "attestation_subscriptions.set",
      .title = "Switch the tenant's plan for a service",
      .description = "Puts the caller's tenant on another plan of a service. Its API clients on the old plan move to "
                     "the new one, and key verification reports the new plan at once.",
      .params = service_params(),
      .body = all_required({{"product_id", uuid("the id of a plan (an attestation product) of this service",
                                                "046d85c3-4045-4831-8cd0-62e919989daa")}}),
      .output = subscription(),
      .errors = {kNoService,
                 {400, "INVALID_INPUT", "product_id is not a plan of this service (details.field product_id)"},
                 kMedia,
                 {500, "UPDATE_FAILED", "an unexpected failure; nothing was changed"}},
      .idempotent = true,
  };
}

// --- policies -------------------------------------------------------------------------------------

sdk::Operation attestation_policies_create(const Config& config) {
  std::string cap = std::to_string(config.max_policy_bytes);
  json::value body = all_required(
      {{"name", display_name("the policy's name, unique among the tenant's policies")},
       {"service_id", uuid("the service the policy is for", "a54ebfdb-4169-404f-9624-015ed180b9b4")},
       {"policy", {{"type", "string"}, {"minLength", 1},
                   {"description", "the policy text, stored as given: not empty, at most " + cap +
                                       " bytes of UTF-8 (the operator's max_policy_bytes)"}}}});
  body.as_object()["additionalProperties"] = false;
  return {
      .id = "attestation_policies.create",
      .title = "Create an attestation policy",
      .description = "Stores a named attestation policy of the caller's tenant for one service. API clients of that "
                     "service refer to it by id; policies have no update: create a new one and move the clients.",
      .body = std::move(body),
      .output = policy(),
      .statuses = {201},
      .errors = {{400, "INVALID_INPUT", "service_id is not a service of the catalog, or the policy text is larger "
                                        "than " + cap + " bytes (details.field)"},
                 {409, "NAME_TAKEN", "the tenant has a policy of that name (details.field name)"},
                 kMedia,
                 {500, "CREATE_FAILED", "an unexpected failure; nothing was written"}},
      .examples = sdk::schema(R"json({"body": {"name": "sgx-prod", "service_id": "a54ebfdb-4169-404f-9624-015ed180b9b4",
                                               "policy": "default matches_sgx_policy = true"}})json"),
  };
}

sdk::Operation attestation_policies_list() {
  return {
      .id = "attestation_policies.list",
      .title = "List attestation policies",
      .description = "The caller's tenant's policies, oldest first; serviceId keeps those of one service." +
                     std::string(kPaged),
      .query = sdk::page_query({{"serviceId", uuid("only the policies of this service (an unknown one lists none)",
                                                   "a54ebfdb-4169-404f-9624-015ed180b9b4")}}),
      .output = {{"type", "array"}, {"items", policy()}},
      .errors = {kAccept, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_policies_get() {
  return {
      .id = "attestation_policies.get",
      .title = "Get an attestation policy",
      .description = "One of the caller's tenant's policies, with its text.",
      .params = policy_params(),
      .output = policy(),
      .errors = {{404, "NOT_FOUND", "no such policy of the tenant"}, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_policies_delete() {
  return {
      .id = "attestation_policies.delete",
      .title = "Delete an attestation policy",
      .description = "Deletes a policy no API client uses; detach it from its clients first (a PUT of each client).",
      .params = policy_params(),
      .statuses = {204},
      .errors = {{404, "NOT_FOUND", "no such policy of the tenant"},
                 {409, "POLICY_IN_USE", "API clients use the policy (details.api_client_ids)"},
                 kAccept,
                 {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
  };
}

// --- API clients ----------------------------------------------------------------------------------

sdk::Operation attestation_clients_list() {
  return {
      .id = "attestation_clients.list",
      .title = "List API clients",
      .description = "The caller's tenant's API clients of a service, oldest first, without their keys, policies or "
                     "tags; productType keeps those whose product has that type." + std::string(kPaged),
      .params = service_params(),
      .query = sdk::page_query({{"productType", product_type("only the clients whose product has this type")}}),
      .output = {{"type", "array"}, {"items", client_summary()}},
      .errors = {kNoService, kAccept, {500, "LIST_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": [
          {"id": "8a41171b-9723-4cf8-afb6-1402fa137913", "service_id": "eb7c16c2-a985-4e99-83c9-9fe3a730252f",
           "product_id": "412bb147-5634-4613-96ad-3a134810bb68", "product_name": "Basic", "product_type": "attestation",
           "status": "Active", "name": "SGX Basic", "created_at": "2022-08-26T04:42:19.162Z"}]})json"),
  };
}

sdk::Operation attestation_clients_create() {
  return {
      .id = "attestation_clients.create",
      .title = "Create an API client",
      .description = "Creates an API client of a service for the caller's tenant, with two new keys (shown by this "
                     "answer and by every GET of the client), its policies and its tags. An attestation product "
                     "must be the tenant's current plan of the service; a management product is always allowed.",
      .params = service_params(),
      .body = client_body("Active (the default) or Inactive", "absent or null: none"),
      .output = client(),
      .statuses = {201},
      .errors = {kNoService,
                 {400, "INVALID_INPUT", "product_id is not a product of this service or not the tenant's plan; a "
                                        "policy id is listed twice, unknown, or of another service (details.field "
                                        "policy_ids[i])"},
                 kMedia,
                 {500, "CREATE_FAILED", "an unexpected failure; nothing was written"}},
      .examples = sdk::schema(R"json({
          "body": {"product_id": "412bb147-5634-4613-96ad-3a134810bb68", "name": "SGX Basic",
                   "policy_ids": ["1cf3db7d-81ea-4904-babf-fcb3501492db", "2cf3db7d-81ea-4904-babf-fcb3501492db",
                                  "3cf3db7d-81ea-4904-babf-fcb3501492db", "4cf3db7d-81ea-4904-babf-fcb3501492db"],
                   "tags": [{"key": "Workload", "value": "Workload-Binary"}]},
          "output": {"id": "8a41171b-9723-4cf8-afb6-1402fa137913", "service_id": "eb7c16c2-a985-4e99-83c9-9fe3a730252f",
                     "service_offer_name": "SGX Attestation", "product_id": "412bb147-5634-4613-96ad-3a134810bb68",
                     "product_name": "Basic", "product_type": "attestation", "status": "Active", "name": "SGX Basic",
                     "keys": ["a7ed25ff371b470bb79ce81b3a087186", "ccaa4f7239de406092639f9a6b9f11ad"],
                     "policy_ids": ["1cf3db7d-81ea-4904-babf-fcb3501492db", "2cf3db7d-81ea-4904-babf-fcb3501492db",
                                    "3cf3db7d-81ea-4904-babf-fcb3501492db", "4cf3db7d-81ea-4904-babf-fcb3501492db"],
                     "tags": [{"key": "Workload", "value": "Workload-Binary", "predefined": true}],
                     "created_at": "2022-08-26T04:42:19.162Z"}})json"),
  };
}

sdk::Operation attestation_clients_get() {
  return {
      .id = "attestation_clients.get",
      .title = "Get an API client",
      .description = "One API client of the caller's tenant with its two keys, its policies and its tags.",
      .params = client_params(),
      .output = client(),
      .errors = {kNoService, kNoClient, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {
          "id": "8a41171b-9723-4cf8-afb6-1402fa137913", "service_id": "eb7c16c2-a985-4e99-83c9-9fe3a730252f",
          "service_offer_name": "TEE Attestation", "product_id": "412bb147-5634-4613-96ad-3a134810bb68",
          "product_name": "Basic", "product_type": "attestation", "status": "Active", "name": "SGX Basic",
          "keys": ["a7ed25ff371b470bb79ce81b3a087186", "ccaa4f7239de406092639f9a6b9f11ad"],
          "policy_ids": ["1cf3db7d-81ea-4904-babf-fcb3501492db", "2cf3db7d-81ea-4904-babf-fcb3501492db",
                         "3cf3db7d-81ea-4904-babf-fcb3501492db", "4cf3db7d-81ea-4904-babf-fcb3501492db"],
          "tags": [{"key": "Workload", "value": "AI", "predefined": true}],
          "created_at": "2022-08-26T04:42:19.162Z"}})json"),
  };
}

sdk::Operation attestation_clients_update() {
  return {
      .id = "attestation_clients.update",
      .title = "Update an API client",
      .description = "Changes an API client's name, product and status, and replaces its policy and tag collections "
                     "in their entirety (send the whole lists every time). The keys and created_at never change. "
                     "Answers the summary, without keys or collections; key verification sees the change at once.",
      .params = client_params(),
      .body = client_body("Active or Inactive; absent or null: unchanged", "replaces the client's; absent or null: none"),
      .output = client_summary(),
      .errors = {kNoService,
                 kNoClient,
                 {400, "INVALID_INPUT", "product_id is not a product of this service or not the tenant's plan; a "
                                        "policy id is listed twice, unknown, or of another service (details.field "
                                        "policy_ids[i])"},
                 kMedia,
                 {500, "UPDATE_FAILED", "an unexpected failure; nothing was written"}},
      .destructive = true,  // the collections are replaced
      .idempotent = true,
      .examples = sdk::schema(R"json({
          "body": {"product_id": "35e0d556-bb0c-4fad-a0a1-65d37e870a94", "status": "Active", "name": "APPLE_SGX_Basic_SUB_2",
                   "policy_ids": ["1cf3db7d-81ea-4904-babf-fcb3501492db", "2cf3db7d-81ea-4904-babf-fcb3501492db",
                                  "5cf3db7d-81ea-4904-babf-fcb3501492db", "6cf3db7d-81ea-4904-babf-fcb3501492db"],
                   "tags": [{"key": "Workload", "value": "EXE Update"}, {"key": "Power", "value": "AI Update"}]},
          "output": {"id": "3a7fd7ba-3dad-4740-8faf-99bc2b192ab5", "service_id": "2e302c60-e999-406b-8cb0-8fc18b136af2",
                     "product_id": "35e0d556-bb0c-4fad-a0a1-65d37e870a94", "product_name": "Basic",
                     "product_type": "attestation", "status": "Active", "name": "APPLE_SGX_Basic_SUB_2",
                     "created_at": "2022-10-21T04:47:12.654Z"}})json"),
  };
}

sdk::Operation attestation_clients_delete() {
  return {
      .id = "attestation_clients.delete",
      .title = "Delete an API client",
      .description = "Deletes an API client with its keys, policy list and tags; its keys stop verifying at once. "
                     "The policies themselves stay.",
      .params = client_params(),
      .statuses = {204},
      .errors = {kNoService, kNoClient, kAccept, {500, "DELETE_FAILED", "an unexpected failure; nothing was deleted"}},
      .destructive = true,
      .idempotent = true,
  };
}

sdk::Operation attestation_clients_get_policies() {
  return {
      .id = "attestation_clients.get_policies",
      .title = "Get an API client's policies",
      .description = "The ids of an API client's policies, in the order given.",
      .params = client_params(),
      .output = all_required({{"policy_ids", policy_ids_out()}}),
      .errors = {kNoService, kNoClient, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"policy_ids": ["c855d8d6-744f-48c6-a06d-a97ef1811a61",
                                                                 "5d389ba0-f683-4d42-ad52-c76a94ccabc7"]}})json"),
  };
}

sdk::Operation attestation_clients_get_tags() {
  return {
      .id = "attestation_clients.get_tags",
      .title = "Get an API client's tags",
      .description = "An API client's tags, in the order given, each marked predefined when its key is one of the "
                     "operator's predefined tag keys.",
      .params = client_params(),
      .output = all_required({{"tags", tags_out()}}),
      .errors = {kNoService, kNoClient, kAccept, {500, "GET_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
      .examples = sdk::schema(R"json({"output": {"tags": [{"key": "Workload", "value": "AI", "predefined": true},
                                                          {"key": "Workload", "value": "EXE Workload", "predefined": true}]}})json"),
  };
}

sdk::Operation attestation_clients_verify_key() {
  return {
      .id = "attestation_clients.verify_key",
      .title = "Verify an API client key",
      .description = "For attestation services: the API client a presented key belongs to, with its tenant, service, "
                     "product, policies and status (an Inactive client's key still verifies; act on status). Needs "
                     "a key minted with the dedicated scope attestation:verify.",
      .body = all_required({{"key", text("the API client key to check")}}),
      .output = verified(),
      .errors = {{401, "INVALID_API_CLIENT_KEY", "the key is not the key of any API client"},
                 kMedia,
                 {500, "VERIFY_FAILED", "an unexpected failure"}},
      .read_only = true,
      .idempotent = true,
  };
}

}  // namespace attestation::operations
