#pragma once
// Conditional request headers (RFC 9110 13.1): "*" or a comma-separated list
// of entity tags. If-None-Match compares weakly (W/"x" matches "x");
// If-Match strongly (a weak tag never matches).
#include <string_view>

namespace remote_config {

inline bool etag_listed(std::string_view header, std::string_view quoted_etag, bool weak) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = header.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (weak && tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == "*" || tag == quoted_etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace remote_config
