#pragma once
// Responses against the schemas their operations declare in /openapi.json,
// checked with the kernel's own validator (what checks requests, also checks
// the tests' view of responses). Link the test target with ambit_kernel.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

#include "http_client.hpp"
#include "schema/schema_validator.hpp"

namespace ambit::test {

/// The schema of operation `id`'s `status` JSON body, from an /openapi.json document.
inline boost::json::value declared_response_schema(const boost::json::value& openapi, const std::string& id, int status) {
  for (auto& [path, item] : openapi.at("paths").as_object())
    for (auto& [method, op] : item.as_object())
      if (op.as_object().contains("operationId") && op.at("operationId") == boost::json::value(id))
        return op.at("responses").at(std::to_string(status)).at("content").at("application/json").at("schema");
  ADD_FAILURE() << id << " is not in /openapi.json";
  return boost::json::object{};
}

/// Where `doc` breaks `schema` ("$.field message"), or "" when it conforms.
inline std::string schema_mismatch(const boost::json::value& doc, const boost::json::value& schema) {
  auto problems = kernel::CompiledSchema(schema).check(doc, 1);
  if (problems.empty()) return {};
  return "$" + (problems.front().field.empty() ? std::string() : "." + problems.front().field) + " " +
         problems.front().message;
}

}  // namespace ambit::test
