#pragma once
// Every tool of the catalog as a CLI11 command: `ambit <words>
// [positional...] [--flags]`. Flags, types, required inputs and help text
// come from the tool's input schema (docs/cli.md, "Commands from the
// server"), so a plugin's operation is a command without a CLI release.

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "session.hpp"
#include "tool_catalog.hpp"

namespace ambit::cli {

struct OutputOptions {
  std::string format = "table";  ///< table | json
};

class ToolCommands {
 public:
  /// Adds a command per tool under `app`, into groups that exist already
  /// ("audit" holds the server's `audit prune` and the tool `audit list`).
  ToolCommands(CLI::App& app, const ToolCatalog& catalog);

  /// Runs the tool whose command parsed; nullopt when none did.
  std::optional<int> run(Session& session, const OutputOptions& output);

 private:
  struct Input {
    std::string name;
    boost::json::object schema;
    std::vector<std::string> texts;
    std::string single;  ///< a positional's one value (CLI11 gives a vector all the remaining ones)
    bool flag_value = false;
    bool boolean = false;
    bool secret = false;  ///< writeOnly: read from stdin when `-` or left out
    bool positional = false;
    CLI::Option* option = nullptr;
  };
  struct Command {
    const boost::json::object* tool = nullptr;
    CLI::App* app = nullptr;
    std::deque<Input> inputs;
    bool wait = false;
    int wait_seconds = 600;
  };
  void add(CLI::App& root, const boost::json::object& tool);
  boost::json::object arguments(Command& command, Session& session) const;

  const ToolCatalog& catalog_;
  std::deque<Command> commands_;
};

/// "--project" for projectId, else "--" + the name with `_` as `-`.
std::string flag_name(const std::string& input);

/// The value of `text` for an input of `schema` (see docs/cli.md); throws CliError(kUsage).
boost::json::value typed_value(const std::string& flag, const boost::json::object& schema, const std::string& text);

}  // namespace ambit::cli
