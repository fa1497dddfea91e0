#pragma once
// Minting keys: shared by the REST routes and the CredentialIssuer service
// the kernel uses for bootstrap, new tenants and new members.

#include <optional>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/credentials.hpp"
#include "store.hpp"

namespace apikey {

struct MintRequest {
  std::string tenant_id, user_id, name;
  std::vector<std::string> scopes;
  std::string environment = "live";
  std::string scope_mode = "strict";
  std::optional<std::int64_t> expires_at;
};

struct Minted {
  KeyRecord record;
  std::string key;  ///< plaintext, returned once
};

Minted mint_key(ambit::sdk::Context& ctx, Store& store, soci::session& tx, MintRequest request);

class Issuer final : public ambit::sdk::CredentialIssuer {
 public:
  Issuer(ambit::sdk::Context& ctx, Store& store) : ctx_(ctx), store_(store) {}
  ambit::sdk::IssuedCredential issue(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                                     const std::vector<std::string>& scopes, const std::string& name) override;

 private:
  ambit::sdk::Context& ctx_;
  Store& store_;
};

}  // namespace apikey
