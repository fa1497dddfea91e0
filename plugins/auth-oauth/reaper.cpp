#include "reaper.hpp"

#include "revocation.hpp"

namespace sdk = ambit::sdk;

namespace oauth {

void Reaper::schedule(soci::session& tx, std::int64_t delay_ms) {
  auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(config_.reap_interval).count();
  std::int64_t slot = (ctx_.clock().now_ms() + delay_ms) / interval;
  sdk::JobSpec spec;
  spec.kind = kReapJob;
  spec.payload = boost::json::object{};
  spec.idempotency_key = "reap-" + std::to_string(slot);
  spec.delay = std::chrono::milliseconds(delay_ms);
  ctx_.jobs().enqueue(tx, spec);
}

void Reaper::run(const sdk::Job&, soci::session& tx) {
  if (!enabled()) return;  // switched off since this run was queued: no deleting, no next run
  std::int64_t now = ctx_.clock().now_ms();
  auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.idle_client_ttl).count();
  auto idle = store_.idle_clients(tx, now - idle_ms);
  for (auto& id : idle) revoke_client(ctx_, store_, tx, id);
  if (!idle.empty()) ctx_.logger().info("idle OAuth clients deleted", {{"clients", static_cast<std::int64_t>(idle.size())}});
  // A used refresh token is kept a day, so its replay is still recognized.
  store_.prune(tx, now, now - 24 * 3600 * 1000LL);
  schedule(tx, std::chrono::duration_cast<std::chrono::milliseconds>(config_.reap_interval).count());
}

}  // namespace oauth
