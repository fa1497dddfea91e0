#pragma once
// Verified keys in memory, so a valid key costs no database round trip.
// Entries are dropped when a key is revoked or rotated ("auth-apikey.key"
// event) or its owner's membership changes (identity event), in this
// process at once and in others sharing PostgreSQL on commit. A generation
// counter keeps a lookup that raced an invalidation from caching stale data.

#include <atomic>
#include <string>

#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/usage.hpp"
#include "config.hpp"
#include "store.hpp"

namespace apikey {

inline constexpr const char* kKeyChangedTopic = "auth-apikey.key";

struct CachedKey {
  KeyRecord key;
  std::string role;  ///< the owner's standing role in the key's tenant; empty when the key no longer stands
  std::vector<std::string> scopes;  ///< effective scopes (strict keys), computed once per role
  /// When this entry last queued a last_used_at update: at most one a second
  /// per key reaches the shared batch (and its lock) on the hot path.
  mutable std::atomic<std::int64_t> last_marked_ms{0};
};

class KeyCache {
 public:
  explicit KeyCache(const Config& config) : entries_(config.cache_max_entries, config.negative_ttl.count()) {}

  /// Verified keys by keyed hash; unknown hashes as "absent".
  ambit::sdk::InvalidatingCache<CachedKey>& entries() { return entries_; }

  void forget_key(std::string_view key_id);
  void forget_member(std::string_view tenant_id, std::string_view user_id);
  void clear() { entries_.clear(); }

  /// last_used_at, written in batches.
  ambit::sdk::UsageRecorder& usage() { return usage_; }

 private:
  ambit::sdk::InvalidatingCache<CachedKey> entries_;
  ambit::sdk::UsageRecorder usage_;
};

}  // namespace apikey
