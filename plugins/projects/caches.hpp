#pragma once
// Verified project keys and projects in memory, so a valid key (and the
// project behind it) costs no database round trip. Entries are dropped on
// the "projects.key" event (revocation) and kProjectChangedTopic (any project
// change), in this process at once and in others sharing PostgreSQL on commit.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/usage.hpp"
#include "config.hpp"
#include "store.hpp"

namespace projects {

inline constexpr const char* kKeyChangedTopic = "projects.key";

struct CachedKey {
  ProjectKey key;
  /// When this entry last queued a last_used_at update (at most once a second per key).
  mutable std::atomic<std::int64_t> last_marked_ms{0};
};

class Caches {
 public:
  Caches(const Config& config, Store& store);

  /// Verified keys by keyed hash; unknown hashes as "absent".
  ambit::sdk::InvalidatingCache<CachedKey>& keys() { return keys_; }
  /// The project from memory, or nullopt when that would need the database.
  std::optional<std::shared_ptr<const ambit::sdk::ProjectInfo>> cached_project(const std::string& id,
                                                                               std::int64_t now_ms) const;
  /// The project from memory or the database; null when there is none.
  std::shared_ptr<const ambit::sdk::ProjectInfo> project(const std::string& id, std::int64_t now_ms);
  ambit::sdk::UsageRecorder& usage() { return usage_; }

  void forget_key(std::string_view key_id);
  void forget_project(std::string_view project_id);
  void clear();

 private:
  Store& store_;
  ambit::sdk::InvalidatingCache<CachedKey> keys_;
  ambit::sdk::InvalidatingCache<ambit::sdk::ProjectInfo> projects_;
  ambit::sdk::UsageRecorder usage_;
};

}  // namespace projects
