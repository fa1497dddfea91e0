// ambit: the server's commands (serve | check | migrate | plugins | keyring
// rotate | bootstrap | users reset-password | audit prune | command) and the
// client's (login | logout | use | completion, and every operation of the
// server it talks to as a command: clients/cli).
#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <iostream>

#include "app/commands.hpp"
#include "client.hpp"

int main(int argc, char** argv) {
  // Everything ambit creates (data directory, database, WAL, keys, runtime files) is the owner's alone.
  ::umask(077);
  CLI::App app{"ambit: a plugin-based API server, and its command-line client", "ambit"};
  app.require_subcommand(1);
  ambit::kernel::CommandOptions opts;
  auto with_config = [&](CLI::App* sub) {
    sub->add_option("--config,-c", opts.config_file, "deployment config (JSON)")->default_val("config/default.json");
    return sub;
  };
  auto* serve = with_config(app.add_subcommand("serve", "run the server"));
  auto* check = with_config(app.add_subcommand("check", "validate a deployment without serving"));
  auto* migrate = with_config(app.add_subcommand("migrate", "apply pending migrations and exit"));
  auto* plugins = with_config(app.add_subcommand("plugins", "list the plugins the config would load"));
  auto* keyring = app.add_subcommand("keyring", "manage the master key");
  keyring->require_subcommand(1);
  auto* rotate = with_config(keyring->add_subcommand("rotate", "re-wrap every data key under a new master key"));
  auto* bootstrap = with_config(app.add_subcommand("bootstrap", "create the first tenant and owner; prints their key once"));
  bootstrap->add_option("--email", opts.email, "the owner's email")->required();
  bootstrap->add_option("--password", opts.password, "the owner's password (optional; 8+ characters)")
      ->envname("AMBIT_OWNER_PASSWORD");  // off the command line, where other users could read it
  bootstrap->add_option("--tenant-name", opts.tenant_name, "the first tenant's name")->default_val("Default");
  auto* users = app.add_subcommand("users", "manage users");
  users->require_subcommand(1);
  auto* reset = with_config(users->add_subcommand("reset-password", "print a single-use password reset link for a user"));
  reset->add_option("email", opts.email, "the user's email")->required();
  auto* audit = app.add_subcommand("audit", "manage the audit log");
  audit->require_subcommand(1);
  auto* prune = with_config(audit->add_subcommand("prune", "delete the audit rows past audit.retention_days now"));
  prune->add_flag("--dry-run", opts.dry_run, "only print what would be deleted");
  auto* command = with_config(app.add_subcommand("command", "run an operator command a plugin offers: command NAME [ARGS...]"));
  command->add_flag("--list", opts.list, "list the commands of the loaded plugins");
  command->add_option("name", opts.command, "the command, e.g. auth-oauth.purge-clients");
  command->allow_extras();
  ambit::cli::Client client(app, std::vector<std::string>(argv + 1, argv + argc),
                            {"serve", "check", "migrate", "plugins", "keyring", "bootstrap", "users reset-password",
                             "audit prune", "command"});
  if (auto rc = client.parse()) return *rc;
  if (auto rc = client.run()) return *rc;

  using namespace ambit::kernel;
  if (serve->parsed()) return run_serve(opts);
  if (check->parsed()) return run_check(opts);
  if (migrate->parsed()) return run_migrate(opts);
  if (plugins->parsed()) return run_plugins(opts);
  if (rotate->parsed()) return run_keyring_rotate(opts);
  if (bootstrap->parsed()) return run_bootstrap(opts);
  if (reset->parsed()) return run_reset_password(opts);
  if (prune->parsed()) return run_audit_prune(opts);
  if (command->parsed()) {
    opts.command_args = command->remaining();
    return run_plugin_command(opts);
  }
  return 2;
}
