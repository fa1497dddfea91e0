#include "sessions.hpp"

#include <algorithm>

#include "ambit/sdk/tokens.hpp"

namespace mcp {
namespace {
constexpr const char* kIdPrefix = "mcp_s_";
// A session seen within this long is not written back on every message.
constexpr std::int64_t kTouchEveryMs = 60'000;
}  // namespace

Sessions::Sessions(sdk::Context& ctx, const Config& config) : ctx_(ctx), config_(config) {}

void Sessions::subscribe() {
  ctx_.events().subscribe(kSessionTopic, [this](std::string_view, std::string_view id_hash) { forget(std::string(id_hash)); });
  ctx_.events().subscribe("*", [this](std::string_view, std::string_view) {
    std::lock_guard lock(mu_);
    cache_.clear();
  });
}

std::string Sessions::hash(const std::string& id) { return ctx_.keyring().mac("mcp-session", id); }

void Sessions::forget(const std::string& id_hash) {
  std::lock_guard lock(mu_);
  cache_.erase(id_hash);
}

std::string Sessions::open(const sdk::Principal& caller, const std::string& protocol_version,
                           const std::string& client_name) {
  std::string id = kIdPrefix + sdk::random_base62(ctx_.keyring(), 32);
  std::string id_hash = hash(id);
  const std::int64_t now = now_ms();
  const std::int64_t idle_before = now - config_.session_idle.count();
  ctx_.database().transaction([&](soci::session& tx) {
    // Serialize the count-then-insert of one credential across processes.
    ctx_.database().lock_in_transaction(tx, "mcp-sessions:" + caller.credential_id);
    // Every credential's idle sessions go here (by the last_seen_at index),
    // also those of a credential that never comes back.
    tx << "DELETE FROM mcp_sessions WHERE last_seen_at < :t", soci::use(idle_before);
    std::vector<std::string> oldest(static_cast<std::size_t>(config_.max_sessions_per_credential) + 1);
    tx << "SELECT id_hash FROM mcp_sessions WHERE credential_id = :c ORDER BY last_seen_at DESC, id_hash",
        soci::use(caller.credential_id), soci::into(oldest);
    // Keep the newest max - 1; the rest make room for the new one.
    for (std::size_t i = static_cast<std::size_t>(config_.max_sessions_per_credential) - 1; i < oldest.size(); ++i) {
      tx << "DELETE FROM mcp_sessions WHERE id_hash = :h", soci::use(oldest[i]);
      ctx_.events().publish(tx, kSessionTopic, oldest[i]);
    }
    tx << "INSERT INTO mcp_sessions (id_hash, tenant_id, credential_id, protocol_version, log_level, client_name,"
          " created_at, last_seen_at) VALUES (:h, :t, :c, :v, 'info', :n, :a, :s)",
        soci::use(id_hash), soci::use(caller.tenant_id), soci::use(caller.credential_id), soci::use(protocol_version),
        soci::use(client_name), soci::use(now), soci::use(now);
  });
  return id;
}

std::optional<Session> Sessions::load(const std::string& id_hash) {
  Session s;
  soci::indicator found = soci::i_null;
  auto db = ctx_.database().session();
  *db << "SELECT tenant_id, credential_id, protocol_version, log_level, last_seen_at FROM mcp_sessions"
         " WHERE id_hash = :h",
      soci::use(id_hash), soci::into(s.tenant_id, found), soci::into(s.credential_id), soci::into(s.protocol_version),
      soci::into(s.log_level), soci::into(s.last_seen_at);
  if (!db->got_data() || found != soci::i_ok) return std::nullopt;
  s.id_hash = id_hash;
  return s;
}

std::optional<Session> Sessions::find(const std::string& id, const sdk::Principal& caller, const sdk::Request& req) {
  if (id.rfind(kIdPrefix, 0) != 0 || id.size() > 64 || !sdk::is_base62(std::string_view(id).substr(6))) return std::nullopt;
  std::string id_hash = hash(id);
  std::optional<Session> s;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id_hash); it != cache_.end()) s = it->second;
  }
  const std::int64_t now = now_ms();
  // A cached copy may predate another process's use of the session: an
  // apparently idle one is read again before it is ended.
  if (!s || now - s->last_seen_at > config_.session_idle.count()) {
    req.will_block();
    s = load(id_hash);
  }
  if (!s || s->credential_id != caller.credential_id || s->tenant_id != caller.tenant_id) return std::nullopt;
  if (now - s->last_seen_at > config_.session_idle.count()) {
    req.will_block();
    ctx_.database().transaction([&](soci::session& tx) {
      tx << "DELETE FROM mcp_sessions WHERE id_hash = :h", soci::use(id_hash);
      ctx_.events().publish(tx, kSessionTopic, id_hash);
    });
    return std::nullopt;
  }
  // Written back often enough that a session in use never looks idle.
  if (now - s->last_seen_at > std::min<std::int64_t>(kTouchEveryMs, config_.session_idle.count() / 4)) {
    req.will_block();
    auto db = ctx_.database().session();
    *db << "UPDATE mcp_sessions SET last_seen_at = :t WHERE id_hash = :h", soci::use(now), soci::use(id_hash);
    s->last_seen_at = now;
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCached) cache_.clear();  // rare: reloaded from the database on demand
  cache_[id_hash] = *s;
  return s;
}

void Sessions::set_log_level(const Session& s, const std::string& level) {
  ctx_.database().transaction([&](soci::session& tx) {
    tx << "UPDATE mcp_sessions SET log_level = :l WHERE id_hash = :h", soci::use(level), soci::use(s.id_hash);
    ctx_.events().publish(tx, kSessionTopic, s.id_hash);
  });
}

void Sessions::end(soci::session& tx, const Session& s) {
  tx << "DELETE FROM mcp_sessions WHERE id_hash = :h", soci::use(s.id_hash);
  ctx_.events().publish(tx, kSessionTopic, s.id_hash);
}

}  // namespace mcp
