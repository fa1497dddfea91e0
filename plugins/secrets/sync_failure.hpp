#pragma once
// SyncFailure: a sink's failure with two texts. `reason()` is what the tenant
// sees in a secret's last_error ("the webhook did not answer"): no server path,
// host or port. `what()` holds the detail, for the server log only.

#include <stdexcept>
#include <string>

namespace secrets {

class SyncFailure final : public std::runtime_error {
 public:
  SyncFailure(std::string reason, const std::string& detail) : std::runtime_error(detail), reason_(std::move(reason)) {}
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

inline constexpr const char* kDirectoryFailed = "the runtime directory could not be written";
inline constexpr const char* kWebhookSilent = "the webhook did not answer";
/// A failure of a sink provided by another plugin (its message may hold anything).
inline constexpr const char* kSinkFailed = "the runtime sink failed";

}  // namespace secrets
