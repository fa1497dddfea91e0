#pragma once
// A small JSON Schema subset for config validation, shared by the kernel's
// own config and every plugin's section:
//   type (string or list of: object array string integer number boolean null),
//   properties, required, additionalProperties (bool, default false: unknown
//   keys are errors), default, enum, minimum, maximum, minLength, items,
//   description.
// Validation reports every problem with a path-precise message such as
//   plugins[2].config.grace_max_hours: expected integer

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace ambit::kernel {

/// Validate `input` against `schema` and return it with defaults filled in.
/// Each problem is appended to `errors` as "<path>: <message>".
boost::json::value apply_schema(const boost::json::value& schema, const boost::json::value& input,
                                const std::string& path, std::vector<std::string>& errors);

/// Check that a schema itself only uses the supported keywords (for plugin authors).
void check_schema(const boost::json::value& schema, const std::string& path, std::vector<std::string>& errors);

}  // namespace ambit::kernel
