#pragma once
// Context: everything the kernel offers a plugin, handed to Plugin::setup,
// start and stop. Registration calls are valid only during setup(); the
// services (database, keyring, ...) from start() on.
//
// New members are appended at the end (a minor version bump), never edited,
// so plugins built against an older minor keep working.

#include <boost/json.hpp>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/events.hpp"
#include "ambit/sdk/http.hpp"
#include "ambit/sdk/identity.hpp"
#include "ambit/sdk/jobs.hpp"
#include "ambit/sdk/keyring.hpp"
#include "ambit/sdk/logger.hpp"
#include "ambit/sdk/operation.hpp"

namespace ambit::sdk {
inline namespace v1 {

/// An operator command a plugin offers on the command line (SDK 1.3).
struct Command {
  std::string name;     ///< "<plugin>.<verb>", e.g. "auth-oauth.purge-clients"
  std::string summary;  ///< one line, shown by `ambit command --list`
  /// Runs with the arguments after NAME; returns the exit code. Print the
  /// result on `out` (JSON for scripts), problems on `err`.
  std::function<int(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)> run;
};

/// A page a plugin adds to the console (SDK 1.9; Context::add_console_page):
/// a menu entry and an ES module the console loads, which exports
/// `render(root, ctx)` (docs/console.md). The plugin serves the module itself
/// on a route of its own (AuthMode::none, `text/javascript`).
struct ConsolePage {
  std::string title;   ///< the menu entry, e.g. "Greetings"
  std::string script;  ///< the module's absolute path on this server, e.g. "/hello/console.js"
};

class Context {
 public:
  virtual ~Context() = default;

  /// This plugin's name, as in its descriptor.
  virtual std::string_view plugin_name() const = 0;
  /// This plugin's config section, validated against config_schema() with
  /// defaults filled in. Immutable for the life of the process.
  virtual const boost::json::object& config() const = 0;

  // --- registration (setup only); duplicates are startup errors ----------
  virtual void add_route(RouteSpec route) = 0;
  /// Declare a scope "resource:action" with a one-line description.
  virtual void add_scope(std::string name, std::string description) = 0;
  virtual void add_authenticator(std::shared_ptr<Authenticator> authenticator) = 0;
  virtual void add_migration(Migration migration) = 0;
  virtual void add_job_handler(std::string kind, JobHandler handler) = 0;
  /// Offer a service to other plugins, found by name and major version.
  virtual void provide_service(std::string name, int version, std::shared_ptr<void> service) = 0;

  // --- lookups and services ----------------------------------------------
  /// A service another plugin provided (declare it in your dependencies so
  /// it is set up first); null when absent or of another version.
  virtual std::shared_ptr<void> find_service(std::string_view name, int version) const = 0;
  template <class T>
  std::shared_ptr<T> service(std::string_view name, int version) const {
    return std::static_pointer_cast<T>(find_service(name, version));
  }

  virtual Logger& logger() = 0;
  virtual Database& database() = 0;
  virtual Keyring& keyring() = 0;
  virtual const Clock& clock() const = 0;
  virtual JobQueue& jobs() = 0;
  virtual Events& events() = 0;
  /// The server's external base URL (server.public_url), without a trailing
  /// slash: build every absolute URL (issuer, redirects) from it.
  virtual const std::string& public_url() const = 0;
  /// Tenants, users, memberships and the scope catalog (complete from start()).
  virtual Identity& identity() = 0;
  virtual AuditLog& audit() = 0;
  /// The deployment's data directory (data_dir, absolute), for a plugin's
  /// files (keep them in a folder of your own and document it). (SDK 1.1)
  virtual const std::string& data_dir() const = 0;

  // --- SDK 1.3 ----------------------------------------------------------------
  /// Declare a dedicated scope (setup only): no role's default bundle holds
  /// it, only credentials minted for it (e.g. a service's verify key). A
  /// role whose patterns match it may be issued it; see
  /// Identity::scope_beyond for who may mint it.
  virtual void add_dedicated_scope(std::string name, std::string description) = 0;
  /// Register an operator command (setup only), run as
  /// `ambit command NAME [ARGS...] --config F` with the plugins started and
  /// the database migrated, but no server.
  virtual void add_command(Command command) = 0;

  // --- SDK 1.4 ----------------------------------------------------------------
  /// Register a route that declares its operation (setup only): the kernel
  /// validates the route's input against the operation's schemas before the
  /// handler runs, documents it in /openapi.json and offers it as a tool.
  /// RouteGroup::operation is the short way to call it.
  virtual void add_operation(RouteSpec route, Operation operation) = 0;
  /// Every plugin's operations, as tools (complete from start()).
  virtual Operations& operations() = 0;

  // --- SDK 1.5 ----------------------------------------------------------------
  /// Declare how one of this plugin's operations finishes (setup only; see
  /// Completion). Both operations must be declared already (the poll may be
  /// another plugin's, set up earlier: name it in your dependencies).
  virtual void add_completion(Completion completion) = 0;

  // --- SDK 1.6 ----------------------------------------------------------------
  /// Copy every committed audit row to `sink` as well (setup only); `name`
  /// labels its metrics (ambit_audit_sink_*{sink="name"}).
  virtual void add_audit_sink(std::string name, std::shared_ptr<AuditSink> sink) = 0;

  // --- SDK 1.7 ----------------------------------------------------------------
  /// Declare how `ambit` shows one of this plugin's operations as a command
  /// (setup only; see CliCommand). Operations without one get the default.
  virtual void add_cli_command(CliCommand command) = 0;
  /// Declare which poll statuses of one of this plugin's completions mean
  /// the work failed (setup only; its Completion is declared first).
  virtual void add_completion_failure(CompletionFailure failure) = 0;

  // --- SDK 1.8 ----------------------------------------------------------------
  /// Authenticate `token` again, as the kernel authenticates a request's
  /// credential (presented_credential in auth.hpp): the first authenticator
  /// that claims it decides; rejected "unknown" when none does. May block (a
  /// cache miss), so call it from a worker or a thread of your own. For
  /// responses that outlive their request: a stream notices its credential
  /// revoked, expired, or its project archived.
  virtual AuthResult authenticate(std::string_view token) = 0;
  /// Let pages on any origin call this plugin's routes at `path` (the
  /// template given to add_route; setup only): the kernel answers their CORS
  /// preflight and adds `Access-Control-Allow-Origin: *` to every answer,
  /// errors included. Only for routes whose credential is a header the page
  /// sends itself (a project client key), never a cookie.
  virtual void allow_cross_origin(std::string path) = 0;

  // --- SDK 1.9 ----------------------------------------------------------------
  /// Accept a browser session cookie as a credential (setup only; see
  /// CookieCredential in auth.hpp for the rules the kernel enforces).
  virtual void add_cookie_credential(CookieCredential credential) = 0;
  /// The CSRF token that goes with a cookie credential's token (from
  /// start()): pages send it as `X-CSRF-Token` on unsafe requests. Derived
  /// from the token with the kernel's keyring, so nothing is stored.
  virtual std::string csrf_token(std::string_view cookie_token) = 0;
  /// Add a page to the console (setup only).
  virtual void add_console_page(ConsolePage page) = 0;
  /// Every plugin's console pages, in plugin start order (complete from start()).
  virtual std::vector<ConsolePage> console_pages() const = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
