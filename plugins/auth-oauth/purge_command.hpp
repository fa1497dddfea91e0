#pragma once
// `ambit command auth-oauth.purge-clients [OPTIONS] --config F`: the
// operator's way to delete clients in bulk (after a registration flood, say),
// each exactly as DELETE /v1/oauth_clients/:clientId does it.
#include "ambit/sdk/context.hpp"
#include "store.hpp"

namespace oauth {

inline constexpr const char* kPurgeCommand = "auth-oauth.purge-clients";

ambit::sdk::Command purge_command(ambit::sdk::Context& ctx, Store& store);

}  // namespace oauth
