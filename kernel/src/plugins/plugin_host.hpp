#pragma once
// Loads the plugins a config names, orders them by dependencies, and drives
// their lifecycle: create -> validate config -> setup -> start -> stop.
// Every problem is collected (not just the first) so `ambit check` can list
// them all. Libraries stay loaded until the host is destroyed, after every
// object a plugin created.

#include <memory>
#include <string>
#include <vector>

#include "ambit/sdk/plugin.hpp"
#include "config/kernel_config.hpp"
#include "log/json_logger.hpp"
#include "plugins/plugin_context.hpp"
#include "plugins/plugin_loader.hpp"

namespace ambit::kernel {

struct HostedPlugin {
  LoadedLibrary library;
  std::string config_path;  ///< "plugins[i]"
  boost::json::object raw_config;
  std::unique_ptr<sdk::Plugin> instance;
  std::unique_ptr<PluginContext> context;
  bool started = false;
};

class PluginHost {
 public:
  ~PluginHost();

  /// Load, check and create every plugin; validate each config section.
  void load(const KernelConfig& config, std::vector<std::string>& problems);
  /// Dependency order (stable w.r.t. config order); reports missing deps and cycles.
  void order(std::vector<std::string>& problems);
  /// Call setup() on each plugin in order with its context.
  void setup(Registry& registry, KernelServices& services, const std::shared_ptr<JsonLogger>& log,
             std::vector<std::string>& problems);
  /// start() in order; on failure stops the ones started and rethrows.
  void start();
  /// stop() in reverse order; errors are logged, not thrown.
  void stop(sdk::Logger& log);

  const std::vector<std::unique_ptr<HostedPlugin>>& plugins() const { return plugins_; }

 private:
  std::vector<std::unique_ptr<HostedPlugin>> plugins_;
};

}  // namespace ambit::kernel
