#include "config_cache.hpp"

namespace remote_config {

using Compiled = ambit::sdk::InvalidatingCache<CompiledConfig>;

std::shared_ptr<const CompiledConfig> ConfigCache::get(const ambit::sdk::Request& req, const std::string& project_id) {
  auto found = compiled_.find(project_id, 0);
  if (found.kind == Compiled::Kind::hit) return found.value;
  req.will_block();
  return load(project_id);
}

std::shared_ptr<const CompiledConfig> ConfigCache::get(const std::string& project_id) {
  auto found = compiled_.find(project_id, 0);
  return found.kind == Compiled::Kind::hit ? found.value : load(project_id);
}

std::shared_ptr<const CompiledConfig> ConfigCache::load(const std::string& project_id) {
  std::uint64_t generation = compiled_.generation();
  auto s = ctx_.database().session();
  // One snapshot would be nicer, but any write after these reads publishes an
  // event that bumps the generation, so a mixed read is never stored.
  std::string hash = store_.head(*s, project_id).hash;
  auto entries = store_.entries(*s, project_id);
  auto compiled = std::make_shared<const CompiledConfig>(project_id, std::move(hash), entries,
                                                         store_.segments(*s, project_id));
  compiled_.put(project_id, compiled, generation);
  return compiled;
}

}  // namespace remote_config
