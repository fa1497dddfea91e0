#pragma once
// The audience (RFC 8707 resource) of each grant whose access tokens this
// process verified, by grant id: what the token-audience service answers on
// every request of a resource that checks audiences, from memory. A grant's
// audience never changes once it has tokens (it is bound at the latest at
// the code exchange that issues the first ones) and grant ids are never
// reused, so an entry cannot go stale; entries are dropped with their grant
// or client only to bound memory.
#include <cstddef>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace oauth {

class AudienceCache {
 public:
  explicit AudienceCache(std::size_t max_entries) : max_entries_(max_entries) {}

  void remember(const std::string& grant_id, const std::string& client_id, const std::string& audience) {
    std::unique_lock lock(mu_);
    if (by_grant_.size() >= max_entries_ && !by_grant_.count(grant_id)) by_grant_.clear();  // crude bound; refills on demand
    by_grant_[grant_id] = Entry{client_id, audience};
  }
  /// The grant's audience ("" for none), nullopt when not in memory.
  std::optional<std::string> find(const std::string& grant_id) const {
    std::shared_lock lock(mu_);
    auto it = by_grant_.find(grant_id);
    if (it == by_grant_.end()) return std::nullopt;
    return it->second.audience;
  }
  void forget_grant(const std::string& grant_id) {
    std::unique_lock lock(mu_);
    by_grant_.erase(grant_id);
  }
  void forget_client(const std::string& client_id) {
    std::unique_lock lock(mu_);
    std::erase_if(by_grant_, [&](const auto& kv) { return kv.second.client_id == client_id; });
  }
  void clear() {
    std::unique_lock lock(mu_);
    by_grant_.clear();
  }
  std::size_t size() const {
    std::shared_lock lock(mu_);
    return by_grant_.size();
  }

 private:
  struct Entry {
    std::string client_id, audience;
  };
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> by_grant_;
  std::size_t max_entries_;
};

}  // namespace oauth
