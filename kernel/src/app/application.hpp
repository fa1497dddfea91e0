#pragma once
// Wires a deployment together: config -> plugins -> database -> kernel
// services -> plugin setup -> migrations -> start -> serve -> drain -> stop.
// Each CLI command uses the prefix of this sequence it needs.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "config/kernel_config.hpp"
#include "db/soci_database.hpp"
#include "events/event_bus.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "jobs/job_queue.hpp"
#include "keyring/keyring.hpp"
#include "log/json_logger.hpp"
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

  const KernelConfig& config() const { return config_; }
  const PluginHost& host() const { return host_; }
  SociDatabase* database() { return db_.get(); }
  Keyring* keyring() { return keyring_.get(); }
  Registry& registry() { return registry_; }

 private:
  void open_database(Mode mode, std::vector<std::string>& problems);
  void register_ops_routes();
  std::string render_metrics() const;

  KernelConfig config_;
  std::shared_ptr<JsonLogger> log_;
  PluginHost host_;  // first member: destroyed last, after every object plugins made
  SystemClock clock_;
  std::unique_ptr<SociDatabase> db_;
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Keyring> keyring_;
  KernelServices services_;
  Registry registry_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> ready_{false};
  std::string openapi_cache_;
};

}  // namespace ambit::kernel
