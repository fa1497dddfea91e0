#pragma once
// The operations of the attestation API (SDK 1.4), one function per route,
// named after the operation id: help text, the JSON Schemas of the inputs
// (checked by the kernel before a handler runs) and of the success body,
// the errors the handler adds, hints and examples (seed:
// attestation-clients.md). The bodies are the seed's bare JSON, no "data"
// envelope. The handlers are in routes_catalog.cpp, routes_policies.cpp and
// routes_clients.cpp.

#include "ambit/sdk/operation.hpp"
#include "config.hpp"

namespace attestation::operations {

// --- the catalog and a tenant's plans ---
ambit::sdk::Operation attestation_services_list();
ambit::sdk::Operation attestation_services_get();
ambit::sdk::Operation attestation_products_list();
ambit::sdk::Operation attestation_subscriptions_get();
ambit::sdk::Operation attestation_subscriptions_set();

// --- policies ---
/// The policy text's byte cap comes from the operator's config (max_policy_bytes).
ambit::sdk::Operation attestation_policies_create(const Config& config);
ambit::sdk::Operation attestation_policies_list();
ambit::sdk::Operation attestation_policies_get();
ambit::sdk::Operation attestation_policies_delete();

// --- API clients (the seed's seven endpoints) and key verification ---
ambit::sdk::Operation attestation_clients_list();
ambit::sdk::Operation attestation_clients_create();
ambit::sdk::Operation attestation_clients_get();
ambit::sdk::Operation attestation_clients_update();
ambit::sdk::Operation attestation_clients_delete();
ambit::sdk::Operation attestation_clients_get_policies();
ambit::sdk::Operation attestation_clients_get_tags();
ambit::sdk::Operation attestation_clients_verify_key();

}  // namespace attestation::operations
