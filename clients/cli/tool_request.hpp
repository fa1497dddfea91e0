#pragma once
// A tool call as the HTTP request it wraps: path parameters into the path,
// the inputs the tool lists under "query" into the query string, the rest
// into a JSON body.

#include <boost/json.hpp>

#include "http_client.hpp"
#include "session.hpp"

namespace ambit::cli {

/// Calls `tool` (an entry of /v1/tools) with `arguments` shaped as its input_schema.
HttpResponse call_tool(Session& session, const boost::json::object& tool, const boost::json::object& arguments);

}  // namespace ambit::cli
