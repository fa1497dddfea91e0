#pragma once
// Semantic versions (semver.org 2.0) for app_version rules: MAJOR.MINOR.PATCH
// with an optional pre-release; a leading "v" and missing MINOR/PATCH ("2",
// "2.1") are accepted; build metadata ("+...") is ignored.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace remote_config {

struct SemVer {
  std::array<std::uint64_t, 3> core{};
  std::vector<std::string> pre;  ///< pre-release identifiers; empty for a release
};

std::optional<SemVer> parse_semver(std::string_view text);
/// <0, 0, >0 by semver precedence (1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0).
int compare(const SemVer& a, const SemVer& b);

}  // namespace remote_config
