#include "caches.hpp"

#include "key_format.hpp"

namespace sdk = ambit::sdk;

namespace projects {

using ProjectEntries = sdk::InvalidatingCache<sdk::ProjectInfo>;

Caches::Caches(sdk::Context& ctx, const Config& config, Store& store)
    : store_(store),
      keys_(ctx, kHashPurpose, config.cache_max_entries, config.negative_ttl.count()),
      projects_(config.cache_max_entries, config.negative_ttl.count()) {}

std::optional<std::shared_ptr<const sdk::ProjectInfo>> Caches::cached_project(const std::string& id,
                                                                              std::int64_t now_ms) const {
  auto found = projects_.find(id, now_ms);
  if (found.kind == ProjectEntries::Kind::hit) return found.value;
  if (found.kind == ProjectEntries::Kind::absent) return std::shared_ptr<const sdk::ProjectInfo>();
  return std::nullopt;
}

std::shared_ptr<const sdk::ProjectInfo> Caches::project(const std::string& id, std::int64_t now_ms) {
  if (auto cached = cached_project(id, now_ms)) return *cached;
  std::uint64_t generation = projects_.generation();
  auto record = store_.find_project(id);
  if (!record) {
    projects_.put_absent(id, now_ms, generation);
    return nullptr;
  }
  auto info = std::make_shared<const sdk::ProjectInfo>(record->info());
  projects_.put(id, info, generation);
  return info;
}

void Caches::forget_key(std::string_view key_id) {
  keys_.forget_if([&](const ProjectKey& k) { return k.id == key_id; });
}

void Caches::forget_project(std::string_view project_id) {
  projects_.erase(std::string(project_id));
  // A deleted project's keys must go too; other changes merely refill.
  keys_.forget_if([&](const ProjectKey& k) { return k.project_id == project_id; });
}

void Caches::clear() {
  keys_.clear();
  projects_.clear();
}

}  // namespace projects
