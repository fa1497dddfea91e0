#pragma once
// The operations of the secrets API (SDK 1.4), one function per route,
// named after the operation id: help text, the JSON Schemas of the inputs
// (checked by the kernel before a handler runs) and of the success body,
// the errors the handler adds, hints and examples (seed: secrets.txt).
// The handlers are in routes.cpp.

#include "ambit/sdk/operation.hpp"
#include "config.hpp"

namespace secrets::operations {

/// The value's byte cap comes from the operator's config (max_value_bytes).
ambit::sdk::Operation secrets_set(const Config& config);
ambit::sdk::Operation secrets_list();
ambit::sdk::Operation secrets_get();
ambit::sdk::Operation secrets_delete();
ambit::sdk::Operation secrets_resync();

}  // namespace secrets::operations
