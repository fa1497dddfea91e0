#include "revocation.hpp"

#include "authenticator.hpp"

namespace oauth {

bool revoke_client(ambit::sdk::Context& ctx, Store& store, soci::session& tx, const std::string& client_id,
                   const ClientFilter& still) {
  if (!store.delete_client(tx, client_id, still)) return false;
  ctx.events().publish(tx, kChangedTopic, "client:" + client_id);
  return true;
}

void revoke_grant(ambit::sdk::Context& ctx, Store& store, soci::session& tx, const std::string& grant_id) {
  store.delete_grant(tx, grant_id);
  ctx.events().publish(tx, kChangedTopic, "grant:" + grant_id);
}

}  // namespace oauth
