#pragma once
// The JSON shapes of the seed (projects.txt). Never a key's secret or hash,
// except the one-time view of a freshly minted key.

#include <boost/json.hpp>

#include <string>

#include "provisioner.hpp"
#include "store.hpp"

namespace projects {

/// Every field of the project row a client may see.
boost::json::object project_json(const ProjectRecord& p);
/// The list entry (newest first in GET /v1/admin/projects).
boost::json::object project_summary_json(const ProjectRecord& p);
boost::json::object key_json(const ProjectKey& k);
/// {key, prefix, type, environment, id}: the only time the key is shown.
boost::json::object minted_key_json(const std::string& key, const ProjectKey& k);
/// GET .../provisioning-status.
boost::json::object provisioning_json(const ProvisioningView& v);

}  // namespace projects
