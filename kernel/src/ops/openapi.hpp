#pragma once
// GET /openapi.json: an OpenAPI 3.1 document assembled from the routes
// plugins registered (summary, tags, schemas, required scope).
#include <boost/json.hpp>

#include <map>
#include <string>

#include "http/router.hpp"

namespace ambit::kernel {
boost::json::object build_openapi(const Router& router, const std::string& public_url,
                                  const std::map<std::string, std::string>& scopes);
}
