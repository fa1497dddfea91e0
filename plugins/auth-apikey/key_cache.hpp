#pragma once
// Verified keys in memory, so a valid key costs no database round trip.
// Entries are dropped when a key is revoked or rotated ("auth-apikey.key"
// event) or its owner's membership changes (identity event), in this
// process at once and in others sharing PostgreSQL on commit. A generation
// counter keeps a lookup that raced an invalidation from caching stale data.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "config.hpp"
#include "store.hpp"

namespace apikey {

inline constexpr const char* kKeyChangedTopic = "auth-apikey.key";

struct CachedKey {
  KeyRecord key;
  std::string role;  ///< the owner's role in the key's tenant; empty when no longer a member
  std::int64_t member_since = 0;  ///< when the current membership began
  /// When this entry last queued a last_used_at update: at most one a second
  /// per key reaches the shared batch (and its lock) on the hot path.
  mutable std::atomic<std::int64_t> last_marked_ms{0};
};

class KeyCache {
 public:
  explicit KeyCache(const Config& config) : config_(config) {}

  enum class Kind { hit, unknown, miss };
  struct Found {
    Kind kind = Kind::miss;
    std::shared_ptr<const CachedKey> entry;
  };
  Found find(const std::string& hash, std::int64_t now_ms) const;
  std::uint64_t generation() const { return generation_.load(); }
  /// Store unless an invalidation happened since `generation` was read.
  void put(const std::string& hash, std::shared_ptr<const CachedKey> entry, std::uint64_t generation);
  void put_unknown(const std::string& hash, std::int64_t now_ms, std::uint64_t generation);

  void forget_key(std::string_view key_id);
  void forget_member(std::string_view tenant_id, std::string_view user_id);
  void clear();

  /// last_used_at, batched.
  void mark_used(const std::string& key_id, std::int64_t now_ms);
  std::map<std::string, std::int64_t> take_used();

 private:
  const Config& config_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CachedKey>> by_hash_;
  std::unordered_map<std::string, std::int64_t> unknown_until_;
  std::atomic<std::uint64_t> generation_{0};
  std::mutex used_mu_;
  std::map<std::string, std::int64_t> used_;
};

}  // namespace apikey
