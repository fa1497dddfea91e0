#include "app/application.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "ambit/sdk/embedded_migrations.hpp"
#include "audit/file_sink.hpp"
#include "operations/declared_operation.hpp"
#include "db/migrator.hpp"
#include "keyring/master_key.hpp"
#include "identity/identity_routes.hpp"
#include "ops/openapi.hpp"
#include "ambit/sdk/time.hpp"

namespace ambit::kernel {
namespace {

/// The data directory holds the database, the master key and runtime
/// secrets: only its owner may enter it. A new one is made 0700 (umask 077);
/// an existing one of ours that others may read is narrowed, with a warning.
void secure_data_dir(const std::filesystem::path& dir, sdk::Logger& log) {
  std::filesystem::create_directories(dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 077) == 0) return;
  char was[8];
  std::snprintf(was, sizeof was, "%04o", static_cast<unsigned>(st.st_mode & 0777));
  if (::chmod(dir.c_str(), 0700) == 0)
    log.warn("data_dir was open to other users; it is now 0700", {{"data_dir", dir.string()}, {"was", was}});
}

}  // namespace

Application::Application(KernelConfig config, std::shared_ptr<JsonLogger> log)
    : config_(std::move(config)), log_(std::move(log)) {
  services_.clock = &clock_;
  if (!config_.clock_offset_file.empty()) {
    clock_.set_offset_file(config_.clock_offset_file);
    log_->warn("testing.clock_offset_file is set: the clock is shifted (test deployments only)");
  }
  services_.public_url = &config_.public_url;
  services_.data_dir = std::filesystem::absolute(config_.data_dir).lexically_normal().string();
}

Application::~Application() {
  if (audit_) audit_->stop();
  if (audit_retention_) audit_retention_->stop();
  if (jobs_) jobs_->stop();
  if (events_) events_->stop();
}

void Application::open_database(Mode mode, std::vector<std::string>& problems) {
  DatabaseTarget target;
  try {
    target = parse_database_url(config_.database_url);
  } catch (const std::exception& e) {
    problems.push_back("database.url: " + std::string(e.what()));
    return;
  }
  try {
    if (mode != Mode::check) secure_data_dir(config_.data_dir, *log_);
    if (target.dialect == sdk::Dialect::sqlite) {
      auto parent = std::filesystem::path(target.sqlite_path).parent_path();
      if (mode == Mode::check) {
        if (!parent.empty() && !std::filesystem::exists(parent))
          throw std::runtime_error("directory " + parent.string() + " does not exist yet (created on first start)");
      } else if (!parent.empty()) {
        std::filesystem::create_directories(parent);
      }
    }
    db_ = std::make_unique<SociDatabase>(target, mode == Mode::serve ? config_.pool_size : 2);
  } catch (const std::exception& e) {
    problems.push_back("database: " + std::string(e.what()));
    return;
  }
  events_ = std::make_unique<EventBus>(target, *log_, db_.get());
  jobs_ = std::make_unique<JobQueue>(*db_, *events_, clock_, *log_, config_.jobs);
  identity_ = std::make_unique<IdentityStore>(*db_, *events_, clock_, config_.identity);
  audit_ = std::make_unique<AuditLog>(*db_, *log_, config_.audit);
  for (auto& file : config_.audit.file_sinks)
    audit_->add_sink("file:" + file.path.string(),
                     std::make_shared<FileSink>(FileSinkOptions{file.path, file.max_bytes, file.max_files}));
  audit_retention_ = std::make_unique<AuditRetention>(*db_, *log_, clock_, config_.audit);
  services_.database = db_.get();
  services_.events = events_.get();
  services_.jobs = jobs_.get();
  services_.identity = identity_.get();
  services_.audit = audit_.get();
  services_.audit_writer = audit_.get();

  try {
    std::vector<MasterKey> masters;
    bool have_key = !config_.master_key_base64.empty() || std::filesystem::exists(master_key_path(config_.data_dir));
    if (mode != Mode::check || have_key) {
      masters.push_back(load_or_create_master_key(config_.master_key_base64, config_.data_dir));
      if (auto next = load_next_master_key(config_.data_dir)) masters.push_back(std::move(*next));
      keyring_ = std::make_unique<Keyring>(*db_, std::move(masters), clock_);
      services_.keyring = keyring_.get();
    }
  } catch (const std::exception& e) {
    problems.push_back("keyring: " + std::string(e.what()));
  }
}

std::vector<std::string> Application::prepare(Mode mode) {
  std::vector<std::string> problems;
  try {  // before any plugin loads: `check` reports it, `serve` stops
    TrustedProxies::parse(config_.trusted_proxies);
  } catch (const std::invalid_argument& e) {
    problems.push_back(e.what());
  }
  host_.load(config_, problems);
  host_.order(problems);
  if (mode != Mode::plugins) open_database(mode, problems);
  registry_.migrations.push_back(MigrationSet{"kernel", sdk::embedded_migrations()});
  register_ops_routes();
  register_tools_route(registry_.router, tools_);
  services_.operations = &tools_;
  for (auto& [name, description] : identity_scopes()) registry_.scopes[name] = ScopeInfo{description, "kernel"};
  if (identity_) {
    register_identity_routes(registry_.router, *identity_, *db_, [this] { return credential_issuer(); });
    if (keyring_) {
      invitations_ = std::make_unique<Invitations>(*db_, *identity_, *keyring_, clock_, config_.public_url);
      register_invitation_routes(registry_.router, *invitations_, [this] { return credential_issuer(); }, clock_);
    }
  }
  host_.setup(registry_, services_, log_, problems);
  check_cli_commands(registry_.router, problems);
  if (identity_) {
    std::vector<std::string> names, dedicated;
    for (auto& [name, info] : registry_.scopes) {
      names.push_back(name);
      if (info.dedicated) dedicated.push_back(name);
    }
    identity_->catalog().build(names, config_.role_patterns, dedicated);
  }
  return problems;
}

int Application::migrate() {
  int applied = apply_migrations(*db_, registry_.migrations, *log_);
  // Each plugin's own keyring purpose exists before any of its transactions.
  if (keyring_) {
    keyring_->ensure("kernel.identity");
    for (auto& p : host_.plugins()) keyring_->ensure(p->library.name);
  }
  return applied;
}

void Application::serve() {
  migrate();
  // Before any plugin starts: a thread a plugin starts may authenticate (Context::authenticate).
  guard_database_calls(registry_.router, registry_.authenticators, *log_);  // 503 + Retry-After, never 500, on a lost connection
  events_->start();
  host_.start();
  audit_->start();
  registry_.cookie_credentials.set_keyring(keyring_.get());
  dispatcher_ = std::make_unique<Dispatcher>(registry_.router, registry_.authenticators, *log_,
                                             config_.worker_threads, config_.access_log, audit_.get(),
                                             config_.public_url, &registry_.cookie_credentials);
  tools_.attach(dispatcher_.get());
  server_ = std::make_unique<HttpServer>(config_, *dispatcher_, *log_);
  std::uint16_t port = server_->listen();
  if (config_.public_url.empty()) config_.public_url = default_public_url(config_.listen_host, port);
  server_->handle_signals();
  audit_retention_->schedule(*jobs_);
  jobs_->start();
  ready_ = true;
  log_->info("listening", {{"address", config_.listen_host}, {"port", port}, {"public_url", config_.public_url},
                           {"database", db_->target().redacted}, {"plugins", host_.plugins().size()},
                           {"io_threads", config_.io_threads}, {"worker_threads", config_.worker_threads}});
  server_->run();  // returns when drained
  ready_ = false;
  dispatcher_->join_workers();
  tools_.attach(nullptr);
  audit_->stop();  // every queued audit row is written before exit
  audit_retention_->stop();
  jobs_->stop();
  host_.stop(*log_);
  events_->stop();
  log_->info("stopped");
  log_->flush();
}

}  // namespace ambit::kernel

namespace ambit::kernel {

sdk::CredentialIssuer* Application::credential_issuer() {
  auto it = registry_.services.find({sdk::kCredentialIssuerService, 1});
  return it == registry_.services.end() ? nullptr : static_cast<sdk::CredentialIssuer*>(it->second.second.get());
}

boost::json::object Application::issue_password_reset(const std::string& email) {
  auto created = invitations_->issue_password_reset(email);
  return {{"email", created.invitation.email},
          {"url", created.url},
          {"token", created.token},
          {"expires_at", sdk::format_time(created.invitation.expires_at)}};
}

int Application::run_command(const std::string& name, const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err) {
  auto it = registry_.commands.find(name);
  if (it == registry_.commands.end()) {
    err << "error: no command \"" << name << "\"; the loaded plugins offer:";
    for (auto& [n, c] : registry_.commands) err << "\n  " << n << "  " << c.summary;
    err << "\n";
    return 2;
  }
  migrate();
  host_.start();
  int rc = 1;
  try {
    rc = it->second.run(args, out, err);
  } catch (const std::exception& e) {
    err << "error: " << name << ": " << e.what() << "\n";
  }
  host_.stop(*log_);
  return rc;
}

boost::json::object Application::bootstrap(const std::string& email, const std::optional<std::string>& password,
                                           const std::string& tenant_name) {
  if (normalize_email(email).empty()) throw std::runtime_error("--email: not a valid address");
  boost::json::object out;
  db_->transaction([&](soci::session& tx) {
    int done = 0;
    tx << "SELECT COUNT(*) FROM ambit_bootstrap", soci::into(done);
    if (done) throw std::runtime_error("already bootstrapped: this database has its first tenant and owner");
    auto tenant = identity_->create_tenant(tx, tenant_name);
    auto user = identity_->create_user(tx, email, password);
    identity_->add_member(tx, tenant.id, user.id, "owner");
    auto key = issue_credential(credential_issuer(), tx, tenant.id, user.id, identity_->role_scopes("owner"),
                                "bootstrap owner key");
    std::int64_t now = clock_.now_ms();
    tx << "INSERT INTO ambit_bootstrap (id, tenant_id, user_id, created_at) VALUES (1, :t, :u, :c)",
        soci::use(tenant.id), soci::use(user.id), soci::use(now);
    out = {{"tenant_id", tenant.id}, {"user_id", user.id},
           {"api_key", key.is_object() ? key.as_object().at("key") : boost::json::value(nullptr)}};
  });
  return out;
}

}  // namespace ambit::kernel
