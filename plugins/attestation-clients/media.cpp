#include "media.hpp"

#include <boost/algorithm/string.hpp>

#include <string>
#include <vector>

namespace sdk = ambit::sdk;

namespace attestation {
namespace {

std::string lower_trimmed(std::string_view s) {
  std::string out(s);
  boost::algorithm::trim(out);
  boost::algorithm::to_lower(out);
  return out;
}

/// The media range's q (1 when absent; 0 when malformed, which excludes it).
double quality(const std::vector<std::string>& params) {
  for (std::size_t i = 1; i < params.size(); ++i) {
    std::string p = lower_trimmed(params[i]);
    if (p.rfind("q=", 0) != 0) continue;
    try {
      return std::stod(p.substr(2));
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 1;
}

}  // namespace

void require_json_accept(const sdk::Request& req) {
  auto accept = req.header("Accept");
  if (!accept || lower_trimmed(*accept).empty()) return;
  std::vector<std::string> ranges;
  boost::algorithm::split(ranges, *accept, boost::algorithm::is_any_of(","));
  for (auto& range : ranges) {
    std::vector<std::string> params;
    boost::algorithm::split(params, range, boost::algorithm::is_any_of(";"));
    std::string type = lower_trimmed(params[0]);
    if ((type == "application/json" || type == "application/*" || type == "*/*") && quality(params) > 0) return;
  }
  throw sdk::ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Invalid Accept Header in Request: application/json only");
}

void require_json_content_type(const sdk::Request& req) {
  auto type = req.header("Content-Type");
  std::string media = type ? lower_trimmed(type->substr(0, type->find(';'))) : std::string();
  if (media != "application/json")
    throw sdk::ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Invalid Content-Type Header in Request: application/json only");
}

}  // namespace attestation
