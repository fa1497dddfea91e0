#pragma once
// Project API keys ("amb_client_ck_...", "amb_server_sk_...") -> a project
// principal: tenant and project id, credential_type "project_key", role the
// key type. Not audited per call (client traffic); counted in metrics.

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/context.hpp"
#include "caches.hpp"

namespace projects {

class ProjectKeyAuthenticator final : public ambit::sdk::Authenticator {
 public:
  ProjectKeyAuthenticator(ambit::sdk::Context& ctx, Store& store, Caches& caches)
      : ctx_(ctx), store_(store), caches_(caches) {}

  bool claims(std::string_view token) const override;
  ambit::sdk::AuthResult authenticate(std::string_view token) override;
  std::optional<ambit::sdk::AuthResult> authenticate_cached(std::string_view token) override;

 private:
  ambit::sdk::AuthResult decide(const KeyKit::Entry& entry, const ambit::sdk::ProjectInfo* project, std::int64_t now_ms);

  ambit::sdk::Context& ctx_;
  Store& store_;
  Caches& caches_;
};

}  // namespace projects
