#pragma once
// The operations of auth-apikey's routes (SDK 1.4): what each route of
// routes.cpp is called, takes, answers and does. The kernel checks the
// inputs against these schemas before the handlers run, writes
// /openapi.json from them and offers the routes as tools.
#include "ambit/sdk/operation.hpp"
#include "config.hpp"

namespace apikey::operations {

ambit::sdk::Operation api_keys_create();                       ///< POST   /v1/api_keys
ambit::sdk::Operation api_keys_list();                         ///< GET    /v1/api_keys
ambit::sdk::Operation api_keys_get();                          ///< GET    /v1/api_keys/:id
ambit::sdk::Operation api_keys_rotate(const Config& config);   ///< POST   /v1/api_keys/:id/rotate (grace_max_hours)
ambit::sdk::Operation api_keys_revoke();                       ///< DELETE /v1/api_keys/:id
ambit::sdk::Operation audit_records_list();                            ///< GET    /v1/audit

}  // namespace apikey::operations
