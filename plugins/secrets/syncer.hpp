#pragma once
// Sync to the runtime on the kernel's durable jobs ("secrets.sync"). A job
// decrypts the project's secrets, writes every target (the project-wide one
// and one per function that has secrets of its own) through the sink, and
// reaps the targets that no longer have any; on success the rows it covered
// become `synced`. A failure (the sink, or a ciphertext that does not open)
// marks them `sync_failed_retrying` with last_error and schedules the next
// attempt with exponential backoff, in the same transaction: it recovers by
// itself when the sink comes back.

#include <chrono>
#include <memory>
#include <string>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/secrets.hpp"
#include "config.hpp"
#include "directory_sink.hpp"
#include "envelope.hpp"
#include "store.hpp"

namespace secrets {

inline constexpr const char* kSyncJob = "secrets.sync";
/// Published by the projects plugin once a project's deletion has committed
/// (payload: the project id); the same string as its kProjectDeletedTopic.
inline constexpr const char* kProjectDeletedTopic = "projects.project.deleted";

class Syncer {
 public:
  Syncer(ambit::sdk::Context& ctx, const Config& config, Store& store) : ctx_(ctx), config_(config), store_(store) {}

  /// Choose the sink (start(): services and data_dir are known then).
  void start();
  /// The project's data key, minted on first use (inside the caller's transaction).
  DataKey data_key(soci::session& tx, const std::string& project_id);
  /// Inside the caller's transaction: sync the project after `delay`. A
  /// change's sync is enqueued once; `resync` (a request to sync again, the
  /// seed's redeploy) always enqueues.
  std::string schedule(soci::session& tx, const std::string& project_id, bool resync,
                       std::chrono::milliseconds delay = std::chrono::milliseconds(0), int attempt = 0);
  void run(const ambit::sdk::Job& job, soci::session& tx);
  /// The project was deleted: remove its runtime files (directory sink; a
  /// webhook or service runtime is the receiver's to clean up).
  void forget_project(const std::string& project_id);

 private:
  ambit::sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
  std::shared_ptr<ambit::sdk::SecretSink> sink_;
  std::shared_ptr<DirectorySink> directory_;  ///< set when sink_ is the directory sink
};

}  // namespace secrets
