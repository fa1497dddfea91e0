#pragma once
// Ending clients and grants: the rows go (grants, codes and tokens cascade)
// and an auth-oauth.changed event tells every process to drop what it
// cached. The one way every route, the reaper and the purge command do it.
#include <soci/soci.h>

#include <string>

#include "ambit/sdk/context.hpp"
#include "store.hpp"

namespace oauth {

/// Deletes the client with its grants, codes and tokens when it (still)
/// matches `still`; false when nothing was deleted.
bool revoke_client(ambit::sdk::Context& ctx, Store& store, soci::session& tx, const std::string& client_id,
                   const ClientFilter& still = {});
/// Deletes a grant with its codes and tokens.
void revoke_grant(ambit::sdk::Context& ctx, Store& store, soci::session& tx, const std::string& grant_id);

}  // namespace oauth
