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
#include "ambit/sdk/credential_kit.hpp"
#include "config.hpp"
#include "store.hpp"

namespace projects {

inline constexpr const char* kKeyChangedTopic = "projects.key";
/// Published after a project's deletion committed (payload: its id), so other
/// plugins drop what they keep outside the database (the secrets plugin's
/// runtime files). Not in the SDK: the secrets plugin repeats the string.
inline constexpr const char* kProjectDeletedTopic = "projects.project.deleted";

using KeyKit = ambit::sdk::CredentialKit<ProjectKey>;

class Caches {
 public:
  Caches(ambit::sdk::Context& ctx, const Config& config, Store& store);

  /// Verified keys by keyed hash (unknown hashes as "absent"), with their
  /// last_used_at batching.
  KeyKit& keys() { return keys_; }
  /// The project from memory, or nullopt when that would need the database.
  std::optional<std::shared_ptr<const ambit::sdk::ProjectInfo>> cached_project(const std::string& id,
                                                                               std::int64_t now_ms) const;
  /// The project from memory or the database; null when there is none.
  std::shared_ptr<const ambit::sdk::ProjectInfo> project(const std::string& id, std::int64_t now_ms);
  ambit::sdk::UsageRecorder& usage() { return keys_.usage(); }

  void forget_key(std::string_view key_id);
  void forget_project(std::string_view project_id);
  void clear();

 private:
  Store& store_;
  KeyKit keys_;
  ambit::sdk::InvalidatingCache<ambit::sdk::ProjectInfo> projects_;
};

}  // namespace projects
