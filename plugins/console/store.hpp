#pragma once
// All of the console's SQL: its sessions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ambit/sdk/context.hpp"

namespace console {

struct SessionRecord {
  std::string id, tenant_id, user_id;
  std::int64_t created_at = 0, last_seen_at = 0, expires_at = 0;
  std::optional<std::int64_t> ended_at;
};

class Store {
 public:
  explicit Store(ambit::sdk::Context& ctx) : ctx_(ctx) {}

  void insert(soci::session& tx, const SessionRecord& session, const std::string& token_hash);
  std::optional<SessionRecord> find_by_hash(const std::string& token_hash);
  /// Ends the session (idempotent); false when it had ended already or does not exist.
  bool end(soci::session& tx, const std::string& id, std::int64_t at);
  /// Batch-write last_seen_at (only ever moves forward).
  void touch(const std::map<std::string, std::int64_t>& last_seen);
  /// Deletes sessions whose maximum age passed before `before`.
  void purge_expired(soci::session& tx, std::int64_t before);

 private:
  ambit::sdk::Context& ctx_;
};

}  // namespace console
