#pragma once
// The console's routes: its session API (routes_session.cpp) and its web
// files (routes_files.cpp).
#include "ambit/sdk/context.hpp"
#include "authenticator.hpp"
#include "config.hpp"
#include "store.hpp"

namespace console {

void register_session_routes(ambit::sdk::Context& ctx, const Config& config, Store& store, SessionKit& kit);
void register_file_routes(ambit::sdk::Context& ctx, const Config& config);

}  // namespace console
