#pragma once
// The operations of the remote-config API (SDK 1.4), one function per route,
// named after the operation id: help text, the JSON Schemas of the inputs
// (checked by the kernel before a handler runs) and of the success body,
// the errors the handler adds, hints and examples (seed: remote-config.txt).
// The schema fragments they share are in schemas.cpp; the handlers are in
// routes_admin.cpp, routes_versions.cpp and routes_client.cpp.

#include "ambit/sdk/operation.hpp"

namespace remote_config::operations {

ambit::sdk::Operation config_set();
ambit::sdk::Operation config_list();
ambit::sdk::Operation config_update();
ambit::sdk::Operation config_delete();
ambit::sdk::Operation segments_list();
ambit::sdk::Operation segments_create();
ambit::sdk::Operation segments_update();
ambit::sdk::Operation segments_delete();
ambit::sdk::Operation config_versions_list();
ambit::sdk::Operation config_versions_get();
ambit::sdk::Operation config_versions_rollback();
/// The hot path: documented only (handler_validates), so a request costs
/// no validation pass; the handler checks its query itself.
ambit::sdk::Operation client_config_get();
/// Its live form, Server-Sent Events (also handler_validates).
ambit::sdk::Operation client_config_stream();
/// The client endpoint's answer for a context, for an admin credential (the console's preview).
ambit::sdk::Operation config_preview();

}  // namespace remote_config::operations
