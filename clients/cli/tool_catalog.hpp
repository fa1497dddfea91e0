#pragma once
// The server's operations as the CLI knows them: GET /v1/tools, cached per
// profile in $XDG_CACHE_HOME/ambit/tools-<profile>.json with the list's
// ETag. A cache younger than a minute is used as it is; an older one is
// revalidated (304: still good), so a plugin added to the deployment or a
// credential with other scopes shows up on the next command.

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "session.hpp"

namespace ambit::cli {

class ToolCatalog {
 public:
  /// Loads the tools for `session`: from the cache, the server, or (on
  /// `offline`, for shell completion) the cache only. Throws CliError when
  /// neither has them.
  static ToolCatalog load(Session& session, bool offline = false);

  const boost::json::array& tools() const { return tools_; }
  /// The tool whose id is `id`, or null.
  const boost::json::object* find(std::string_view id) const;

 private:
  boost::json::array tools_;
};

/// The tool's command words ("projects keys create"), split.
std::vector<std::string> command_words(const boost::json::object& tool);

}  // namespace ambit::cli
