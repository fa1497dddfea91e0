#pragma once
// A tool's answer for a person (aligned tables, `key  value` lines,
// relative times, colour on a terminal) or for a script (`--output json`:
// the body exactly as the API sent it).

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "http_client.hpp"

namespace ambit::cli {

void print_response(const HttpResponse& response, const std::string& format);

/// "3 minutes ago", "in 2 days" for an RFC 3339 time; the text itself when it is none.
std::string relative_time(const std::string& rfc3339);

/// Rows as columns padded to their widest cell; the first row is the header.
std::string render_table(const std::vector<std::vector<std::string>>& rows, bool colour, int max_cell = 0);

}  // namespace ambit::cli
