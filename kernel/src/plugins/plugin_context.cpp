#include "plugins/plugin_context.hpp"

#include "audit/audit_log.hpp"

#include <regex>
#include <stdexcept>

#include "events/event_bus.hpp"
#include "identity/token_authentication.hpp"
#include "operations/declared_operation.hpp"

namespace ambit::kernel {

PluginContext::PluginContext(std::string name, boost::json::object config, std::shared_ptr<sdk::Logger> logger,
                             Registry& registry, KernelServices& services)
    : name_(std::move(name)),
      config_(std::move(config)),
      logger_(std::move(logger)),
      registry_(registry),
      services_(services) {}

void PluginContext::require_open(const char* what) const {
  if (!open_) throw std::logic_error(std::string(what) + " is only allowed during setup()");
}

void PluginContext::add_route(sdk::RouteSpec route) {
  require_open("add_route");
  if (!route.scope.empty() && route.auth != sdk::AuthMode::required)
    throw std::invalid_argument("route " + route.method + " " + route.path + " needs a scope but not authentication");
  registry_.router.add(std::move(route), name_);
}

void PluginContext::add_operation(sdk::RouteSpec route, sdk::Operation operation) {
  require_open("add_operation");
  if (!route.scope.empty() && route.auth != sdk::AuthMode::required)
    throw std::invalid_argument("route " + route.method + " " + route.path + " needs a scope but not authentication");
  kernel::add_operation(registry_.router, std::move(route), std::move(operation), name_);
}

void PluginContext::add_completion(sdk::Completion completion) {
  require_open("add_completion");
  kernel::add_completion(registry_.router, std::move(completion), name_);
}

void PluginContext::add_cli_command(sdk::CliCommand command) {
  require_open("add_cli_command");
  kernel::add_cli_command(registry_.router, std::move(command), name_);
}

void PluginContext::add_completion_failure(sdk::CompletionFailure failure) {
  require_open("add_completion_failure");
  kernel::add_completion_failure(registry_.router, std::move(failure), name_);
}

sdk::AuthResult PluginContext::authenticate(std::string_view token) {
  // The registry's list, so the database guard wrapped around it at serve time applies.
  return *authenticate_token(registry_.authenticators, token, false);
}

void PluginContext::allow_cross_origin(std::string path) {
  require_open("allow_cross_origin");
  registry_.router.allow_cross_origin(path, name_);
}

void PluginContext::add_cookie_credential(sdk::CookieCredential credential) {
  require_open("add_cookie_credential");
  registry_.cookie_credentials.add(std::move(credential));
}

std::string PluginContext::csrf_token(std::string_view cookie_token) {
  return csrf_token_for(keyring(), cookie_token);
}

void PluginContext::add_console_page(sdk::ConsolePage page) {
  require_open("add_console_page");
  if (page.title.empty()) throw std::invalid_argument("add_console_page: the title is empty");
  // Same origin only: the console's CSP loads scripts from 'self'.
  if (!page.script.starts_with("/") || page.script.starts_with("//"))
    throw std::invalid_argument("add_console_page: script must be an absolute path on this server, not " + page.script);
  registry_.console_pages.push_back(std::move(page));
}

void PluginContext::add_audit_sink(std::string name, std::shared_ptr<sdk::AuditSink> sink) {
  require_open("add_audit_sink");
  if (!sink) throw std::invalid_argument("add_audit_sink: the sink is null");
  // Named after the plugin: two plugins cannot collide, and the metrics say whose it is.
  if (services_.audit_writer) services_.audit_writer->add_sink(name_ + ":" + name, std::move(sink));
}

void PluginContext::add_scope(std::string name, std::string description) {
  require_open("add_scope");
  static const std::regex valid("[a-z][a-z0-9_]*:[a-z][a-z0-9_]*");
  if (!std::regex_match(name, valid))
    throw std::invalid_argument("scope \"" + name + "\" must look like resource:action");
  auto [it, inserted] = registry_.scopes.emplace(name, ScopeInfo{std::move(description), name_});
  if (!inserted && it->second.owner != name_)
    throw std::invalid_argument("scope \"" + name + "\" is declared by " + it->second.owner + " and " + name_);
}

void PluginContext::add_dedicated_scope(std::string name, std::string description) {
  add_scope(name, std::move(description));
  registry_.scopes.at(name).dedicated = true;
}

void PluginContext::add_command(sdk::Command command) {
  require_open("add_command");
  if (command.name.rfind(name_ + ".", 0) != 0 || command.name.size() == name_.size() + 1)
    throw std::invalid_argument("command \"" + command.name + "\" must be named \"" + name_ + ".<verb>\"");
  if (!command.run) throw std::invalid_argument("command \"" + command.name + "\" has no function");
  std::string name = command.name;
  if (!registry_.commands.emplace(name, std::move(command)).second)
    throw std::invalid_argument("command \"" + name + "\" is registered twice");
}

void PluginContext::add_authenticator(std::shared_ptr<sdk::Authenticator> authenticator) {
  require_open("add_authenticator");
  if (!authenticator) throw std::invalid_argument("add_authenticator: null");
  registry_.authenticators.push_back(std::move(authenticator));
}

void PluginContext::add_migration(sdk::Migration migration) {
  require_open("add_migration");
  auto& sets = registry_.migrations;
  if (sets.empty() || sets.back().owner != name_) sets.push_back(MigrationSet{name_, {}});
  sets.back().migrations.push_back(std::move(migration));
}

void PluginContext::add_job_handler(std::string kind, sdk::JobHandler handler) {
  require_open("add_job_handler");
  if (!services_.jobs) return;  // check/plugins runs: nothing executes jobs
  services_.jobs->add_handler(kind, std::move(handler));
}

void PluginContext::provide_service(std::string name, int version, std::shared_ptr<void> service) {
  require_open("provide_service");
  auto key = std::make_pair(name, version);
  if (registry_.services.count(key))
    throw std::invalid_argument("service \"" + name + "\" v" + std::to_string(version) + " is provided by " +
                                registry_.services[key].first + " and " + name_);
  registry_.services[key] = {name_, std::move(service)};
}

std::shared_ptr<void> PluginContext::find_service(std::string_view name, int version) const {
  auto it = registry_.services.find(std::make_pair(std::string(name), version));
  return it == registry_.services.end() ? nullptr : it->second.second;
}

namespace {
template <class T>
T& need(T* p, const char* what) {
  if (!p) throw std::logic_error(std::string(what) + " is not available in this command");
  return *p;
}
}  // namespace

sdk::Database& PluginContext::database() { return need(services_.database, "the database"); }
sdk::Keyring& PluginContext::keyring() { return need(services_.keyring, "the keyring"); }
const sdk::Clock& PluginContext::clock() const { return need(services_.clock, "the clock"); }
sdk::JobQueue& PluginContext::jobs() { return need(services_.jobs, "the job queue"); }
sdk::Events& PluginContext::events() { return need(services_.events, "the event bus"); }
sdk::Identity& PluginContext::identity() { return need(services_.identity, "the identity core"); }
sdk::AuditLog& PluginContext::audit() { return need(services_.audit, "the audit log"); }
sdk::Operations& PluginContext::operations() { return need(services_.operations, "the tool registry"); }

}  // namespace ambit::kernel
