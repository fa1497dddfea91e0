#pragma once
// What the kernel collects from plugins (Registry) and the sdk::Context each
// plugin is handed.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "db/migrator.hpp"
#include "http/cookie_credentials.hpp"
#include "http/router.hpp"
#include "jobs/job_queue.hpp"

namespace ambit::kernel {

class EventBus;

struct ScopeInfo {
  std::string description;
  std::string owner;
  bool dedicated = false;  ///< in no role's bundle; minted for it alone
};

struct Registry {
  Router router;
  std::vector<std::shared_ptr<sdk::Authenticator>> authenticators;
  std::map<std::string, ScopeInfo> scopes;
  std::vector<MigrationSet> migrations;  ///< kernel first, then plugins in start order
  std::map<std::pair<std::string, int>, std::pair<std::string, std::shared_ptr<void>>> services;
  std::map<std::string, sdk::Command> commands;  ///< operator commands, by name
  CookieCredentials cookie_credentials;          ///< browser session cookies (SDK 1.9)
  std::vector<sdk::ConsolePage> console_pages;   ///< in plugin setup order
};

/// The kernel services a context hands out. Pointers are null in `ambit
/// check`/`plugins` runs that never open the database.
class AuditLog;

struct KernelServices {
  sdk::Database* database = nullptr;
  sdk::Keyring* keyring = nullptr;
  const sdk::Clock* clock = nullptr;
  JobQueue* jobs = nullptr;
  EventBus* events = nullptr;
  const std::string* public_url = nullptr;
  std::string data_dir;
  sdk::Identity* identity = nullptr;
  sdk::AuditLog* audit = nullptr;
  sdk::Operations* operations = nullptr;
  AuditLog* audit_writer = nullptr;  ///< where plugins' audit sinks go
};

class PluginContext final : public sdk::Context {
 public:
  PluginContext(std::string name, boost::json::object config, std::shared_ptr<sdk::Logger> logger,
                Registry& registry, KernelServices& services);

  std::string_view plugin_name() const override { return name_; }
  const boost::json::object& config() const override { return config_; }
  void add_route(sdk::RouteSpec route) override;
  void add_scope(std::string name, std::string description) override;
  void add_dedicated_scope(std::string name, std::string description) override;
  void add_command(sdk::Command command) override;
  void add_authenticator(std::shared_ptr<sdk::Authenticator> authenticator) override;
  void add_migration(sdk::Migration migration) override;
  void add_job_handler(std::string kind, sdk::JobHandler handler) override;
  void provide_service(std::string name, int version, std::shared_ptr<void> service) override;
  std::shared_ptr<void> find_service(std::string_view name, int version) const override;
  sdk::Logger& logger() override { return *logger_; }
  sdk::Database& database() override;
  sdk::Keyring& keyring() override;
  const sdk::Clock& clock() const override;
  sdk::JobQueue& jobs() override;
  sdk::Events& events() override;
  const std::string& public_url() const override { return *services_.public_url; }
  sdk::Identity& identity() override;
  sdk::AuditLog& audit() override;
  const std::string& data_dir() const override { return services_.data_dir; }
  void add_operation(sdk::RouteSpec route, sdk::Operation operation) override;
  sdk::Operations& operations() override;
  void add_completion(sdk::Completion completion) override;
  void add_audit_sink(std::string name, std::shared_ptr<sdk::AuditSink> sink) override;
  void add_cli_command(sdk::CliCommand command) override;
  void add_completion_failure(sdk::CompletionFailure failure) override;
  sdk::AuthResult authenticate(std::string_view token) override;
  void allow_cross_origin(std::string path) override;
  void add_cookie_credential(sdk::CookieCredential credential) override;
  std::string csrf_token(std::string_view cookie_token) override;
  void add_console_page(sdk::ConsolePage page) override;
  std::vector<sdk::ConsolePage> console_pages() const override { return registry_.console_pages; }

  /// Registration is refused after setup().
  void close_registration() { open_ = false; }

 private:
  void require_open(const char* what) const;

  std::string name_;
  boost::json::object config_;
  std::shared_ptr<sdk::Logger> logger_;
  Registry& registry_;
  KernelServices& services_;
  bool open_ = true;
};

}  // namespace ambit::kernel
