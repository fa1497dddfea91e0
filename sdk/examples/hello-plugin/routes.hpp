#pragma once
#include <memory>
#include <string>

#include "ambit/sdk/context.hpp"
#include "store.hpp"

namespace hello {

/// Registers GET /hello/:name.
void register_routes(ambit::sdk::Context& ctx, std::shared_ptr<Store> store, std::string greeting);

}  // namespace hello
