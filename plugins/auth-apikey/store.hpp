#pragma once
// All of auth-apikey's SQL.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/paging.hpp"

namespace apikey {

struct KeyRecord {
  std::string id, tenant_id, user_id, name, key_prefix;
  std::vector<std::string> scopes;  ///< sorted
  std::string scope_mode = "strict";
  std::string environment = "live";
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at, revoked_at, last_used_at;
  std::string rotated_to;
};

class Store {
 public:
  /// The database is looked up on use: it is not available to every CLI command.
  explicit Store(ambit::sdk::Context& ctx) : ctx_(ctx) {}

  void insert(soci::session& tx, const KeyRecord& key, const std::string& key_hash);
  std::optional<KeyRecord> find_by_hash(const std::string& key_hash);
  /// A key of `tenant_id` (other tenants' keys are invisible), optionally in `tx`.
  std::optional<KeyRecord> find(const std::string& tenant_id, const std::string& id, soci::session* tx = nullptr);
  /// Up to `fetch` keys, newest first (created_at, then id, descending),
  /// after the key `after` in that order; `user_id` empty lists every key of
  /// the tenant.
  std::vector<KeyRecord> list(const std::string& tenant_id, const std::string& user_id,
                              const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  void revoke(soci::session& tx, const std::string& id, std::int64_t at, const std::string& rotated_to = {});
  /// Batch-write last_used_at (only ever moves forward).
  void touch(const std::map<std::string, std::int64_t>& last_used);

 private:
  ambit::sdk::Database& db() { return ctx_.database(); }
  ambit::sdk::Context& ctx_;
};

}  // namespace apikey
