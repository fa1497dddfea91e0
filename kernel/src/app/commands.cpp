#include "app/commands.hpp"

#include <filesystem>
#include <iostream>

#include "app/application.hpp"
#include "ambit/sdk/error.hpp"
#include "keyring/master_key.hpp"

namespace ambit::kernel {
namespace {


/// Load the config; print its problems (stderr) and return null when invalid.
std::unique_ptr<Application> make_application(const CommandOptions& opts, std::vector<std::string>* problems_out) {
  auto result = load_config(opts.config_file);
  if (!result.config) {
    if (problems_out) {
      *problems_out = result.errors;
    } else {
      for (auto& e : result.errors) std::cerr << "config error: " << e << "\n";
    }
    return nullptr;
  }
  auto log = JsonLogger::create_stderr(result.config->log_level);
  return std::make_unique<Application>(std::move(*result.config), log);
}

int report(const std::vector<std::string>& problems, const char* what) {
  for (auto& p : problems) std::cerr << what << ": " << p << "\n";
  return problems.empty() ? 0 : 1;
}

/// The application prepared for `mode`, or null after printing why not.
std::unique_ptr<Application> prepared(const CommandOptions& opts, Mode mode, const char* label) {
  auto app = make_application(opts, nullptr);
  if (!app || report(app->prepare(mode), label)) return nullptr;
  return app;
}

}  // namespace

int run_serve(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::serve, "startup error");
  if (!app) return 1;
  try {
    app->serve();
  } catch (const std::exception& e) {
    std::cerr << "startup error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int run_check(const CommandOptions& opts) {
  std::vector<std::string> problems;
  auto app = make_application(opts, &problems);
  if (app) problems = app->prepare(Mode::check);
  if (!problems.empty()) {
    for (auto& p : problems) std::cout << "error: " << p << "\n";
    std::cout << opts.config_file << ": " << problems.size() << " problem(s)\n";
    return 1;
  }
  std::cout << opts.config_file << ": ok (" << app->host().plugins().size() << " plugins";
  for (auto& p : app->host().plugins()) std::cout << (&p == &app->host().plugins().front() ? ": " : ", ") << p->library.name;
  std::cout << "; database " << app->database()->target().redacted << " reachable)\n";
  return 0;
}

int run_migrate(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  try {
    int n = app->migrate();
    std::cout << boost::json::serialize(boost::json::object{{"applied", n}}) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "migration error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int run_plugins(const CommandOptions& opts) {
  auto app = make_application(opts, nullptr);
  if (!app) return 1;
  int rc = report(app->prepare(Mode::plugins), "error");
  boost::json::array list;
  for (auto& p : app->host().plugins()) {
    auto& d = p->library.descriptor;
    boost::json::array deps;
    for (auto& dep : d.dependencies) deps.push_back(boost::json::string(dep));
    list.push_back({{"name", d.name}, {"version", d.version}, {"status", d.status},
                    {"sdk", std::to_string(d.sdk_major) + "." + std::to_string(d.sdk_minor)},
                    {"file", p->library.file.string()}, {"dependencies", deps}});
  }
  std::cout << boost::json::serialize(list) << "\n";
  return rc;
}

int run_bootstrap(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  try {
    app->migrate();
    std::optional<std::string> password;
    if (!opts.password.empty()) password = opts.password;
    auto out = app->bootstrap(opts.email, password, opts.tenant_name);
    std::cout << boost::json::serialize(out) << "\n";
  } catch (const sdk::ApiError& e) {
    std::cerr << "error: bootstrap refused: " << e.message() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: bootstrap refused: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int run_reset_password(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  try {
    app->migrate();
    std::cout << boost::json::serialize(app->issue_password_reset(opts.email)) << "\n";
    std::cerr << "Deliver the link to the user: it works once, until it expires.\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int run_audit_prune(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  try {
    app->migrate();
    auto& retention = *app->audit_retention();
    auto plan = retention.plan();
    if (!opts.dry_run) {
      // Step by step, each in a short transaction: safe beside a running server.
      plan["removed"] = retention.prune_all();
    }
    plan["dry_run"] = opts.dry_run;
    std::cout << boost::json::serialize(plan) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int run_plugin_command(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  if (opts.list || opts.command.empty()) {
    for (auto& [name, c] : app->registry().commands) std::cout << name << "  " << c.summary << "\n";
    return opts.list ? 0 : 2;
  }
  try {
    return app->run_command(opts.command, opts.command_args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

int run_keyring_rotate(const CommandOptions& opts) {
  auto app = prepared(opts, Mode::migrate, "error");
  if (!app) return 1;
  try {
    app->migrate();
    const auto& cfg = app->config();
    std::string old_kid;
    MasterKey next = MasterKey::generate();
    bool from_env = !cfg.master_key_base64.empty();
    if (from_env) {
      // Operators holding the key outside the data dir pass the new one too.
      const char* next_env = std::getenv("AMBIT_NEW_MASTER_KEY");
      if (!next_env || !*next_env) {
        std::cerr << "error: AMBIT_MASTER_KEY is set: put the new key (base64 of 32 bytes) in AMBIT_NEW_MASTER_KEY\n";
        return 1;
      }
      next = MasterKey::from_base64(next_env, "AMBIT_NEW_MASTER_KEY");
    } else {
      // Stage the new key first: a crash after the database switched still finds it.
      write_key_file(next_master_key_path(cfg.data_dir), next);
    }
    old_kid = load_or_create_master_key(cfg.master_key_base64, cfg.data_dir).kid;
    int n = app->keyring()->rewrap_all(next);
    if (!from_env) {
      auto current = master_key_path(cfg.data_dir);
      auto retired = cfg.data_dir / ("master.key.retired-" + old_kid);
      std::filesystem::rename(current, retired);
      std::filesystem::rename(next_master_key_path(cfg.data_dir), current);
    }
    std::cout << boost::json::serialize(boost::json::object{{"previous_kid", old_kid}, {"kid", next.kid}, {"rewrapped", n}})
              << "\n";
    if (from_env) std::cerr << "now set AMBIT_MASTER_KEY to the new key on every instance\n";
  } catch (const std::exception& e) {
    std::cerr << "error: keyring rotation failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ambit::kernel
