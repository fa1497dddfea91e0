#pragma once
// MCP's log levels (logging/setLevel, notifications/message): RFC 5424
// severities, least severe first.
#include <string_view>

namespace mcp {

inline constexpr std::string_view kLogLevels[] = {"debug",    "info",  "notice", "warning",
                                                  "error",    "critical", "alert", "emergency"};

/// The level's rank in kLogLevels, or -1 for a name that is no level.
inline int log_severity(std::string_view level) {
  for (int i = 0; i < static_cast<int>(std::size(kLogLevels)); ++i)
    if (level == kLogLevels[i]) return i;
  return -1;
}

}  // namespace mcp
