#include "key_cache.hpp"

namespace apikey {

KeyCache::Found KeyCache::find(const std::string& hash, std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) return {Kind::hit, it->second};
  if (auto it = unknown_until_.find(hash); it != unknown_until_.end() && it->second > now_ms) return {Kind::unknown, {}};
  return {Kind::miss, {}};
}

void KeyCache::put(const std::string& hash, std::shared_ptr<const CachedKey> entry, std::uint64_t generation) {
  std::unique_lock lock(mu_);
  if (generation_.load() != generation) return;
  if (by_hash_.size() >= config_.cache_max_entries) by_hash_.clear();  // crude bound; refills on demand
  by_hash_[hash] = std::move(entry);
  unknown_until_.erase(hash);
}

void KeyCache::put_unknown(const std::string& hash, std::int64_t now_ms, std::uint64_t generation) {
  if (config_.negative_ttl.count() == 0) return;
  std::unique_lock lock(mu_);
  if (generation_.load() != generation) return;
  if (unknown_until_.size() >= 10000) unknown_until_.clear();
  unknown_until_[hash] = now_ms + config_.negative_ttl.count();
}

void KeyCache::forget_key(std::string_view key_id) {
  std::unique_lock lock(mu_);
  ++generation_;
  for (auto it = by_hash_.begin(); it != by_hash_.end();)
    it = it->second->key.id == key_id ? by_hash_.erase(it) : std::next(it);
}

void KeyCache::forget_member(std::string_view tenant_id, std::string_view user_id) {
  std::unique_lock lock(mu_);
  ++generation_;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    const auto& k = it->second->key;
    it = (k.tenant_id == tenant_id && k.user_id == user_id) ? by_hash_.erase(it) : std::next(it);
  }
}

void KeyCache::clear() {
  std::unique_lock lock(mu_);
  ++generation_;
  by_hash_.clear();
  unknown_until_.clear();
}

void KeyCache::mark_used(const std::string& key_id, std::int64_t now_ms) {
  std::lock_guard lock(used_mu_);
  auto& at = used_[key_id];
  if (at < now_ms) at = now_ms;
}

std::map<std::string, std::int64_t> KeyCache::take_used() {
  std::lock_guard lock(used_mu_);
  std::map<std::string, std::int64_t> out;
  out.swap(used_);
  return out;
}

}  // namespace apikey
