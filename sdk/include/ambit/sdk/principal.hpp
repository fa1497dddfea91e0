#pragma once
// Principal: who is calling, resolved once per request before any handler.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/version.hpp"

namespace ambit::sdk {
inline namespace v1 {

struct Principal {
  std::string tenant_id;        ///< the seeds' business / workspace / developer
  std::string user_id;          ///< empty for non-user credentials (project keys)
  std::string project_id;       ///< set by project-scoped credentials
  std::string credential_type;  ///< "api_key", "oauth", "project_key", ...
  std::string credential_id;    ///< the credential's public id (never the secret)
  std::string role;             ///< the user's role in the tenant, when a user
  std::vector<std::string> scopes;  ///< effective scopes, sorted
  bool legacy_mode = false;     ///< audited with legacy_mode=true
  bool audited = true;          ///< false for credentials counted in metrics only

  bool has_scope(std::string_view scope) const {
    return std::binary_search(scopes.begin(), scopes.end(), scope,
                              [](std::string_view a, std::string_view b) { return a < b; });
  }
};

}  // namespace v1
}  // namespace ambit::sdk
