#include "app/application.hpp"

#include <filesystem>

#include "ambit/sdk/embedded_migrations.hpp"
#include "db/migrator.hpp"
#include "keyring/master_key.hpp"
#include "ops/openapi.hpp"

namespace ambit::kernel {

Application::Application(KernelConfig config, std::shared_ptr<JsonLogger> log)
    : config_(std::move(config)), log_(std::move(log)) {
  services_.clock = &clock_;
  services_.public_url = &config_.public_url;
}

Application::~Application() {
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
  events_ = std::make_unique<EventBus>(target, *log_);
  jobs_ = std::make_unique<JobQueue>(*db_, *events_, clock_, *log_, config_.jobs);
  services_.database = db_.get();
  services_.events = events_.get();
  services_.jobs = jobs_.get();

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
  host_.load(config_, problems);
  host_.order(problems);
  if (mode != Mode::plugins) open_database(mode, problems);
  registry_.migrations.push_back(MigrationSet{"kernel", sdk::embedded_migrations()});
  register_ops_routes();
  host_.setup(registry_, services_, log_, problems);
  return problems;
}

int Application::migrate() { return apply_migrations(*db_, registry_.migrations, *log_); }

void Application::serve() {
  migrate();
  events_->start();
  host_.start();
  dispatcher_ = std::make_unique<Dispatcher>(registry_.router, registry_.authenticators, *log_,
                                             config_.worker_threads, config_.access_log);
  server_ = std::make_unique<HttpServer>(config_, *dispatcher_, *log_);
  std::uint16_t port = server_->listen();
  if (config_.public_url.empty()) config_.public_url = default_public_url(config_.listen_host, port);
  server_->handle_signals();
  jobs_->start();
  ready_ = true;
  log_->info("listening", {{"address", config_.listen_host}, {"port", port}, {"public_url", config_.public_url},
                           {"database", db_->target().redacted}, {"plugins", host_.plugins().size()},
                           {"io_threads", config_.io_threads}, {"worker_threads", config_.worker_threads}});
  server_->run();  // returns when drained
  ready_ = false;
  dispatcher_->join_workers();
  jobs_->stop();
  host_.stop(*log_);
  events_->stop();
  log_->info("stopped");
  log_->flush();
}

}  // namespace ambit::kernel
