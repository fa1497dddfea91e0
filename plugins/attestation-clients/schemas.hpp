#pragma once
// The JSON Schema fragments the attestation operations (operations.cpp)
// share, each fact once: ids, names, the request bodies of API clients and
// the bare bodies the routes answer (views.cpp builds those).
#include <boost/json.hpp>

#include <string_view>

namespace attestation::schemas {

// --- building blocks ---
/// An object schema whose every property is required (the shape of every body this plugin answers).
boost::json::value all_required(const boost::json::object& props);
/// `schema` (from all_required) with more required properties.
boost::json::value extended(boost::json::value schema, const boost::json::object& more);
boost::json::value text(std::string_view description);
/// A UUID in a body or a query: 8-4-4-4-12 hex digits, either case (answered in lower case).
boost::json::value uuid(std::string_view description, std::string_view example);
/// An id the plugin answers: a lower-case UUID.
boost::json::value id(std::string_view description);

// --- inputs ---
/// Path parameters; a path id that is not a UUID answers 404 like an unknown one, so they are not constrained.
boost::json::value service_params();
boost::json::value client_params();
boost::json::value policy_params();
/// API client and policy names: 1-128 characters, not only spaces, no control characters.
boost::json::value display_name(std::string_view description);
boost::json::value product_type(std::string_view description);
/// The body of POST and PUT of an API client.
boost::json::value client_body(std::string_view status_description, std::string_view lists_description);

// --- answers ---
boost::json::value product();
boost::json::value service();
boost::json::value subscription();
boost::json::value policy();
boost::json::value status();
/// What the list and PUT of API clients answer.
boost::json::value client_summary();
/// What POST and GET of one API client answer: the summary, keys and collections.
boost::json::value client();
boost::json::value policy_ids_out();
boost::json::value tags_out();
/// What key verification answers: the key's client, its tenant, service, product, policies and status.
boost::json::value verified();

}  // namespace attestation::schemas
