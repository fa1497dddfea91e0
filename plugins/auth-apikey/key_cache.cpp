#include "key_cache.hpp"

namespace apikey {

void KeyCache::forget_key(std::string_view key_id) {
  entries_.erase_if([&](const CachedKey& e) { return e.key.id == key_id; });
}

void KeyCache::forget_member(std::string_view tenant_id, std::string_view user_id) {
  entries_.erase_if([&](const CachedKey& e) { return e.key.tenant_id == tenant_id && e.key.user_id == user_id; });
}

}  // namespace apikey
