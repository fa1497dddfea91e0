#pragma once
// One function per CLI command; each returns the process exit code.
// Machine-readable results go to stdout, logs (JSON lines) to stderr.
#include <string>

namespace ambit::kernel {

struct CommandOptions {
  std::string config_file = "config/default.json";
};

int run_serve(const CommandOptions& opts);
int run_check(const CommandOptions& opts);
int run_migrate(const CommandOptions& opts);
int run_plugins(const CommandOptions& opts);
int run_keyring_rotate(const CommandOptions& opts);

}  // namespace ambit::kernel
