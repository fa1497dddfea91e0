#pragma once
// CORS for the routes a plugin opened to pages on any origin
// (sdk::Context::allow_cross_origin): public client endpoints whose
// credential is a header the page sends itself, never a cookie, so `*` is
// safe and no origin list is kept.

#include <string_view>

#include "ambit/sdk/http.hpp"

namespace ambit::kernel {

/// Access-Control-Allow-Origin: * and the headers a page may read.
void add_cross_origin_headers(sdk::StringPairs& headers);
/// 204 to a preflight (OPTIONS) for a path served with `allow` ("GET, POST").
sdk::Response cross_origin_preflight(std::string_view allow);

}  // namespace ambit::kernel
