#pragma once
// InvalidatingCache: values loaded from the database, kept in memory for hot
// paths and dropped when an event says they changed.
//
// Readers share a lock. Every invalidation bumps a generation, so a reader
// that loaded from the database *before* an invalidation cannot store what it
// read *after* it:
//   auto generation = cache.generation();
//   auto value = load_from_database();
//   cache.put(key, value, generation);  // ignored if anything was invalidated since
// "Known absent" entries (an unknown credential, say) expire after a TTL so a
// stream of bad tokens costs one lookup each per TTL, not one per request.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace ambit::sdk {
inline namespace v1 {

template <class V>
class InvalidatingCache {
 public:
  explicit InvalidatingCache(std::size_t max_entries = 100000, std::int64_t absent_ttl_ms = 30000)
      : max_entries_(max_entries), absent_ttl_ms_(absent_ttl_ms) {}

  enum class Kind { hit, absent, miss };
  struct Found {
    Kind kind = Kind::miss;
    std::shared_ptr<const V> value;
  };

  Found find(const std::string& key, std::int64_t now_ms) const {
    std::shared_lock lock(mu_);
    if (auto it = values_.find(key); it != values_.end()) return {Kind::hit, it->second};
    if (auto it = absent_until_.find(key); it != absent_until_.end() && it->second > now_ms) return {Kind::absent, {}};
    return {Kind::miss, {}};
  }

  std::uint64_t generation() const { return generation_.load(); }

  void put(const std::string& key, std::shared_ptr<const V> value, std::uint64_t generation) {
    std::unique_lock lock(mu_);
    if (generation_.load() != generation) return;
    if (values_.size() >= max_entries_) values_.clear();  // crude bound; refills on demand
    values_[key] = std::move(value);
    absent_until_.erase(key);
  }

  void put_absent(const std::string& key, std::int64_t now_ms, std::uint64_t generation) {
    if (absent_ttl_ms_ <= 0) return;
    std::unique_lock lock(mu_);
    if (generation_.load() != generation) return;
    if (absent_until_.size() >= max_entries_) absent_until_.clear();
    absent_until_[key] = now_ms + absent_ttl_ms_;
  }

  /// Drop the entries whose value matches; also voids loads in flight.
  template <class Pred>
  void erase_if(Pred pred) {
    std::unique_lock lock(mu_);
    ++generation_;
    for (auto it = values_.begin(); it != values_.end();) it = pred(*it->second) ? values_.erase(it) : std::next(it);
  }

  void erase(const std::string& key) {
    std::unique_lock lock(mu_);
    ++generation_;
    values_.erase(key);
    absent_until_.erase(key);
  }

  void clear() {
    std::unique_lock lock(mu_);
    ++generation_;
    values_.clear();
    absent_until_.clear();
  }

 private:
  std::size_t max_entries_;
  std::int64_t absent_ttl_ms_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const V>> values_;
  std::unordered_map<std::string, std::int64_t> absent_until_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace v1
}  // namespace ambit::sdk
