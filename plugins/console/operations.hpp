#pragma once
// The console's session API, declared once: validation (sign-in) and its
// entries in /openapi.json. None is a tool: a session is a browser's.
#include "ambit/sdk/operation.hpp"

namespace console {

ambit::sdk::Operation sign_in_operation();
ambit::sdk::Operation session_operation();
ambit::sdk::Operation switch_workspace_operation();
ambit::sdk::Operation sign_out_operation();

}  // namespace console
