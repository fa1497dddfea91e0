#pragma once
// Wires a deployment together: config -> plugins -> database -> kernel
// services -> plugin setup -> migrations -> start -> serve -> drain -> stop.
// Each CLI command uses the prefix of this sequence it needs.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/audit_retention.hpp"
#include "config/kernel_config.hpp"
#include "identity/identity_store.hpp"
#include "identity/invitations.hpp"
#include "db/soci_database.hpp"
#include "events/event_bus.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "jobs/job_queue.hpp"
#include "keyring/keyring.hpp"
#include "log/json_logger.hpp"
#include "operations/tool_registry.hpp"
#include "ambit/sdk/credentials.hpp"
#include "plugins/plugin_host.hpp"
#include "util/system_clock.hpp"

namespace ambit::kernel {

enum class Mode {
  serve,    ///< everything
  migrate,  ///< database + setup (to collect migrations)
  check,    ///< like migrate, but creates nothing and reports every problem
  plugins,  ///< load and describe plugins; no database
};

class Application {
 public:
  Application(KernelConfig config, std::shared_ptr<JsonLogger> log);
  ~Application();

  /// Returns every problem found; empty means ready for `mode`.
  std::vector<std::string> prepare(Mode mode);
  /// Apply pending migrations; returns how many.
  int migrate();
  /// Serve until SIGTERM/SIGINT, then drain and stop. Throws on startup failure.
  void serve();
  /// First tenant, its owner and an owner credential; throws std::runtime_error
  /// when a bootstrap already happened.
  boost::json::object bootstrap(const std::string& email, const std::optional<std::string>& password,
                                const std::string& tenant_name);

  /// A password reset link for the user with `email` (ambit users reset-password).
  boost::json::object issue_password_reset(const std::string& email);
  /// Runs a plugin's operator command with the plugins started; the exit code.
  int run_command(const std::string& name, const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

  const KernelConfig& config() const { return config_; }
  const PluginHost& host() const { return host_; }
  SociDatabase* database() { return db_.get(); }
  Keyring* keyring() { return keyring_.get(); }
  AuditRetention* audit_retention() { return audit_retention_.get(); }
  Registry& registry() { return registry_; }

 private:
  void open_database(Mode mode, std::vector<std::string>& problems);
  void register_ops_routes();
  sdk::CredentialIssuer* credential_issuer();
  std::string render_metrics() const;

  KernelConfig config_;
  std::shared_ptr<JsonLogger> log_;
  PluginHost host_;  // first member: destroyed last, after every object plugins made
  SystemClock clock_;
  std::unique_ptr<SociDatabase> db_;
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Keyring> keyring_;
  std::unique_ptr<IdentityStore> identity_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AuditRetention> audit_retention_;
  std::unique_ptr<Invitations> invitations_;
  KernelServices services_;
  Registry registry_;
  ToolRegistry tools_{registry_.router};
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> ready_{false};
  std::string openapi_cache_;
};

}  // namespace ambit::kernel
