#pragma once
// The console's session API and files, declared once: validation (sign-in)
// and their entries in /openapi.json. None is a tool: a session is a browser's.
#include "ambit/sdk/operation.hpp"

namespace console {

ambit::sdk::Operation sign_in_operation();
ambit::sdk::Operation session_operation();
ambit::sdk::Operation switch_workspace_operation();
ambit::sdk::Operation sign_out_operation();
/// The page and its files (documented only: they are for browsers).
ambit::sdk::Operation page_operation();
ambit::sdk::Operation file_operation();

}  // namespace console
