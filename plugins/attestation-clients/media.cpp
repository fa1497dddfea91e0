#include "media.hpp"

#include <boost/algorithm/string.hpp>

#include <charconv>
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
    double q = 0;
    auto [end, ec] = std::from_chars(p.data() + 2, p.data() + p.size(), q);
    return ec == std::errc() && end == p.data() + p.size() ? q : 0;
  }
  return 1;
}

/// The q an Accept value gives application/json: the most specific matching
/// range decides (RFC 9110 12.5.1), so "application/json;q=0, */*" excludes it.
double json_quality(std::string_view accept) {
  std::vector<std::string> ranges;
  boost::algorithm::split(ranges, accept, boost::algorithm::is_any_of(","));
  int best = -1;
  double q = 0;
  for (auto& range : ranges) {
    std::vector<std::string> params;
    boost::algorithm::split(params, range, boost::algorithm::is_any_of(";"));
    std::string type = lower_trimmed(params[0]);
    int specificity = type == "application/json" ? 2 : type == "application/*" ? 1 : type == "*/*" ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = quality(params);
    }
  }
  return q;
}

}  // namespace

void require_json_accept(const sdk::Request& req) {
  auto accept = req.header("Accept");
  if (!accept || lower_trimmed(*accept).empty()) return;
  if (json_quality(*accept) <= 0)
    throw sdk::ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Invalid Accept Header in Request: application/json only");
}

void require_json_content_type(const sdk::Request& req) {
  auto type = req.header("Content-Type");
  std::string media = type ? lower_trimmed(type->substr(0, type->find(';'))) : std::string();
  if (media != "application/json")
    throw sdk::ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Invalid Content-Type Header in Request: application/json only");
}

}  // namespace attestation
