#pragma once
// The credential issuer: the service a plugin provides so the kernel can hand
// out a first credential (bootstrap, new tenant, new member) without knowing
// which plugin makes credentials. Provide it as
//   ctx.provide_service(kCredentialIssuerService, 1, issuer);

#include <soci/soci.h>

#include <string>
#include <vector>

namespace ambit::sdk {
inline namespace v1 {

inline constexpr const char* kCredentialIssuerService = "ambit.credential-issuer";

struct IssuedCredential {
  std::string id;      ///< public id
  std::string secret;  ///< shown once, never stored in plaintext
  std::string prefix;  ///< display prefix
};

class CredentialIssuer {
 public:
  virtual ~CredentialIssuer() = default;
  /// Mint a credential for a member, inside the caller's transaction.
  virtual IssuedCredential issue(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                                 const std::vector<std::string>& scopes, const std::string& name) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
