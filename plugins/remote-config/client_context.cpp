#include "client_context.hpp"

#include <algorithm>

#include "semver.hpp"

namespace sdk = ambit::sdk;

namespace remote_config {

namespace {
constexpr std::size_t kMaxContextValue = 256;
}  // namespace

EvalContext client_context(const sdk::Request& req) {
  EvalContext ctx;
  for (const auto& [name, value] : req.query_params) {
    if (value.size() > kMaxContextValue)
      throw sdk::ApiError::invalid_input(name + " is longer than 256 characters", name);
    if (name == "user_id") {
      ctx.user_id = value;
    } else if (name == "platform") {
      ctx.platform = value;
      std::transform(ctx.platform.begin(), ctx.platform.end(), ctx.platform.begin(),
                     [](unsigned char c) { return std::tolower(c); });
    } else if (name == "app_version") {
      ctx.app_version = value;
      ctx.app_semver = parse_semver(value);
    } else if (name == "country") {
      ctx.country = value;
      std::transform(ctx.country.begin(), ctx.country.end(), ctx.country.begin(),
                     [](unsigned char c) { return std::toupper(c); });
    } else if (name.size() > 5 && name.compare(0, 5, "attr.") == 0) {
      ctx.attributes.emplace_back(name.substr(5), value);
    }
  }
  return ctx;
}

std::string context_key(const EvalContext& ctx) {
  // Each part after its length, so no value can forge a separator. Attributes
  // by name; a repeated name keeps its order (the first one counts).
  auto attributes = ctx.attributes;
  std::stable_sort(attributes.begin(), attributes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string key;
  auto add = [&key](const std::string& part) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  };
  for (const auto* part : {&ctx.user_id, &ctx.platform, &ctx.app_version, &ctx.country}) add(*part);
  for (const auto& [name, value] : attributes) {
    add(name);
    add(value);
  }
  return key;
}

}  // namespace remote_config
