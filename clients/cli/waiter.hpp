#pragma once
// `--wait`: after a tool answered, poll the tool its completion names
// (GET /v1/tools, "completion") until the status leaves the pending ones.

#include <boost/json.hpp>

#include "http_client.hpp"
#include "session.hpp"
#include "tool_catalog.hpp"

namespace ambit::cli {

/// kOk when done; throws CliError(kFailed) with the server's reason when a
/// failed status shows, or when `timeout_seconds` pass.
int wait_for_completion(Session& session, const ToolCatalog& catalog, const boost::json::object& completion,
                        const boost::json::object& input, const HttpResponse& answer, int timeout_seconds);

}  // namespace ambit::cli
