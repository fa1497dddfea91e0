#pragma once
// The operations of the projects API (SDK 1.4), one function per route,
// named after the operation id: help text, the JSON Schemas of the inputs
// (checked by the kernel before a handler runs) and of the success body,
// the errors the handler adds, hints and examples (seed: projects.txt).
// The schema fragments they share are in schemas.cpp; the handlers are in
// routes.cpp.

#include "ambit/sdk/operation.hpp"

namespace projects::operations {

ambit::sdk::Operation projects_create();
ambit::sdk::Operation projects_list();
ambit::sdk::Operation projects_get();
ambit::sdk::Operation projects_update();
ambit::sdk::Operation projects_delete();
ambit::sdk::Operation project_keys_create();
ambit::sdk::Operation project_keys_revoke();
ambit::sdk::Operation projects_reprovision();
ambit::sdk::Operation projects_get_provisioning_status();
ambit::sdk::Operation projects_archive();
ambit::sdk::Operation projects_unarchive();

}  // namespace projects::operations
