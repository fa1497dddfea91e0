#pragma once
// An operation's input: checked against its schemas before the handler runs
// (HTTP and tool calls alike), and a tool call's arguments turned into the
// request an HTTP client would have sent.

#include <boost/json.hpp>

#include "ambit/sdk/http.hpp"
#include "operations/declared_operation.hpp"

namespace ambit::kernel {

/// Throws sdk::ApiError 400 INVALID_INPUT, details.field naming the first
/// offending input ("name", "conditions[1].percentage") and details.errors
/// listing each problem, when a path parameter, query parameter or the body
/// breaks its schema.
void check_input(const DeclaredOperation& op, const sdk::Request& req);

/// The request for a tool call: path parameters into the path, query inputs
/// into the query, the rest as the JSON body. Throws sdk::ApiError 400 for an
/// argument that is not an input of the operation.
sdk::Request request_from_arguments(const RouteEntry& route, const boost::json::object& arguments);

}  // namespace ambit::kernel
