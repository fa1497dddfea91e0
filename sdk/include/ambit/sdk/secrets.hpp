#pragma once
// SecretSink: where the secrets plugin delivers decrypted secrets for a
// project's functions (the runtime). Two sinks are built in (directory,
// webhook); a deployment plugs its own runtime by providing this service
//   ctx.provide_service(kSecretSinkService, 1, std::shared_ptr<sdk::SecretSink>(...));
// and setting the secrets plugin's config to {"sink": {"type": "service"}}.
// (SDK 1.1)

#include <string>
#include <utility>
#include <vector>

namespace ambit::sdk {
inline namespace v1 {

inline constexpr const char* kSecretSinkService = "secrets.sink";

/// Everything one target sees: the project-wide secrets, plus a function's
/// own (which win over project-wide ones of the same name).
struct SecretBundle {
  std::string project_id;
  std::string function;  ///< empty for the project-wide target
  std::vector<std::pair<std::string, std::string>> values;  ///< name -> plaintext, sorted by name
};

class SecretSink {
 public:
  virtual ~SecretSink() = default;
  /// Replace the target's bindings with the bundle, atomically where the
  /// runtime allows. Throw on failure: the sync is retried with backoff.
  /// Runs on a job thread; may block (bounded by a timeout).
  virtual void write(const SecretBundle& bundle) = 0;
  /// Remove the project's targets not named in `keep` (function names; ""
  /// for the project-wide target): bindings of deleted secrets go away.
  virtual void reap(const std::string& project_id, const std::vector<std::string>& keep) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
