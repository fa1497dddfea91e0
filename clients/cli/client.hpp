#pragma once
// The client half of the `ambit` binary: login, logout, use, completion,
// and the server's operations as commands, added next to the server's own
// commands in one CLI11 application.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ambit::cli {

class Client {
 public:
  /// `args`: the command line without the program name. `server_paths`:
  /// the commands of the server half ("serve", "audit prune"); a command
  /// line starting with one needs no list of tools from a server.
  Client(CLI::App& app, std::vector<std::string> args, const std::vector<std::string>& server_paths);
  ~Client();

  /// Parses the command line (`help secrets set` as `secrets set --help`).
  /// Returns the exit code when that ends the run (help, a usage error).
  std::optional<int> parse();
  /// Runs the client command that parsed; nullopt when a server command did.
  std::optional<int> run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ambit::cli
