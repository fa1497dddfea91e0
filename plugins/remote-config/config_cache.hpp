#pragma once
// Compiled configs per project in memory: the client endpoint costs no
// database round trip while nothing changed. A write publishes
// kConfigChangedTopic in its transaction: this process drops the project at
// once, others sharing PostgreSQL when it commits.

#include <memory>
#include <string>

#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/context.hpp"
#include "compiled.hpp"
#include "config.hpp"
#include "store.hpp"

namespace remote_config {

inline constexpr const char* kConfigChangedTopic = "remote-config.changed";

class ConfigCache {
 public:
  ConfigCache(ambit::sdk::Context& ctx, Store& store, const Config& config)
      : ctx_(ctx), store_(store), compiled_(config.cache_max_projects, 0) {}

  /// From memory; on a miss req.will_block(), then load and compile.
  std::shared_ptr<const CompiledConfig> get(const ambit::sdk::Request& req, const std::string& project_id);
  /// From memory, or loaded here (blocks): off the request path.
  std::shared_ptr<const CompiledConfig> get(const std::string& project_id);
  void forget(const std::string& project_id) { compiled_.erase(project_id); }
  void clear() { compiled_.clear(); }

 private:
  std::shared_ptr<const CompiledConfig> load(const std::string& project_id);

  ambit::sdk::Context& ctx_;
  Store& store_;
  ambit::sdk::InvalidatingCache<CompiledConfig> compiled_;
};

}  // namespace remote_config
