#pragma once
// The identity core's REST API (kernel routes):
//   GET    /v1/me                     any credential: who am I, with what scopes
//   POST   /v1/tenants                [tenants:create] new tenant, caller owner
//   GET    /v1/users                  [members:read]   members of the caller's tenant
//   PATCH  /v1/users/:userId          [members:manage] change role
//   DELETE /v1/users/:userId          [members:manage] remove
// Members join by invitation (invitation_routes.cpp). Credentials come from
// the CredentialIssuer service, if a plugin provides one. Each route's
// operation (ids, schemas, errors) is in identity_operations.cpp.

#include <functional>

#include "ambit/sdk/credentials.hpp"
#include "ambit/sdk/operation.hpp"
#include "http/router.hpp"
#include "identity/identity_store.hpp"

namespace ambit::kernel {

using IssuerLookup = std::function<sdk::CredentialIssuer*()>;

/// Registers one of the identity core's routes with its operation
/// (identity_operations.hpp; tag "identity", owner "kernel"): the kernel
/// checks the route's input against the operation's schemas before `h` runs.
void add_identity_route(Router& router, std::string method, std::string path, std::string scope, sdk::AuthMode auth,
                        bool may_block, sdk::Operation op, sdk::Handler h);

/// The caller, when its credential belongs to a user; 403 otherwise.
const sdk::Principal& user_caller(const sdk::Request& req);

/// The kernel's own scopes, declared in the catalog.
std::vector<std::pair<std::string, std::string>> identity_scopes();

void register_identity_routes(Router& router, IdentityStore& identity, sdk::Database& db, IssuerLookup issuer);

class Invitations;
void register_invitation_routes(Router& router, Invitations& invitations, IssuerLookup issuer, const sdk::Clock& clock);

/// Owner credential JSON {"id","key","key_prefix"} or null without an issuer.
boost::json::value issue_credential(sdk::CredentialIssuer* issuer, soci::session& tx, const std::string& tenant_id,
                                    const std::string& user_id, const std::vector<std::string>& scopes,
                                    const std::string& name);

}  // namespace ambit::kernel
