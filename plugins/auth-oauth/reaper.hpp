#pragma once
// A durable job that deletes clients never authorized within the configured
// idle period (registrations nobody completed) and expired codes and tokens,
// then schedules its next run.
// Its idempotency key is the time slot, so processes sharing a database
// schedule it once.
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"

namespace oauth {

inline constexpr const char* kReapJob = "auth-oauth.reap";

class Reaper {
 public:
  Reaper(ambit::sdk::Context& ctx, const Config& config, Store& store) : ctx_(ctx), config_(config), store_(store) {}

  bool enabled() const { return config_.idle_client_ttl.count() > 0; }
  /// Enqueue the run of the current time slot (a no-op when it exists).
  void schedule(soci::session& tx, std::int64_t delay_ms = 0);
  void run(const ambit::sdk::Job& job, soci::session& tx);

 private:
  ambit::sdk::Context& ctx_;
  const Config& config_;
  Store& store_;
};

}  // namespace oauth
