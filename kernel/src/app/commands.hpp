#pragma once
// One function per CLI command; each returns the process exit code.
// Machine-readable results go to stdout, logs (JSON lines) to stderr.
#include <string>
#include <vector>

namespace ambit::kernel {

struct CommandOptions {
  std::string config_file = "config/default.json";
  std::string email;           ///< bootstrap
  std::string password;        ///< bootstrap (optional)
  std::string tenant_name = "Default";
  std::string command;                     ///< command: a plugin command's name
  std::vector<std::string> command_args;   ///< command: what follows the name
  bool list = false;                       ///< command --list
  bool dry_run = false;                    ///< audit prune --dry-run
};

int run_serve(const CommandOptions& opts);
int run_check(const CommandOptions& opts);
int run_migrate(const CommandOptions& opts);
int run_plugins(const CommandOptions& opts);
int run_keyring_rotate(const CommandOptions& opts);
int run_bootstrap(const CommandOptions& opts);
int run_reset_password(const CommandOptions& opts);
int run_audit_prune(const CommandOptions& opts);
int run_plugin_command(const CommandOptions& opts);

}  // namespace ambit::kernel
