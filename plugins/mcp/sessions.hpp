#pragma once
// MCP sessions (Mcp-Session-Id), kept in the database so that every process
// behind a load balancer serves every session; each process caches what it
// read, and an ended or changed session is dropped from every cache through
// an event. A session belongs to the credential that opened it: another
// credential presenting its id finds nothing.
//
// Bounds: at most max_sessions_per_credential per credential (opening one
// more ends the least recently used; use is written back at most once a
// minute), an idle session ends after session_idle (its row goes when it is
// next presented or when any session opens), and the cache holds at most
// kMaxCached entries.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ambit/sdk/context.hpp"
#include "config.hpp"

namespace mcp {

namespace sdk = ambit::sdk;

struct Session {
  std::string id_hash;
  std::string tenant_id;
  std::string credential_id;
  std::string protocol_version;
  std::string log_level;  ///< the client's logging/setLevel, "info" until it sets one
  std::int64_t last_seen_at = 0;
};

class Sessions {
 public:
  Sessions(sdk::Context& ctx, const Config& config);
  /// Subscribes to the invalidation events (setup).
  void subscribe();

  /// A new session for `caller`; returns its id (shown to the client once).
  std::string open(const sdk::Principal& caller, const std::string& protocol_version, const std::string& client_name);
  /// The session `id` of `caller`, unless unknown, another credential's or
  /// idle too long. Marks it used. From the cache on `req`'s I/O thread;
  /// calls req.will_block() before it reads or writes the database.
  std::optional<Session> find(const std::string& id, const sdk::Principal& caller, const sdk::Request& req);
  void set_log_level(const Session& s, const std::string& level);
  /// Ends the session (DELETE /mcp) on every process once `tx` commits.
  void end(soci::session& tx, const Session& s);
  /// The hash a session id is stored and announced under.
  std::string hash(const std::string& id);

 private:
  std::optional<Session> load(const std::string& id_hash);
  void forget(const std::string& id_hash);
  std::int64_t now_ms() const { return ctx_.clock().now_ms(); }

  static constexpr std::size_t kMaxCached = 10000;
  sdk::Context& ctx_;
  const Config& config_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> cache_;  ///< by id_hash
};

/// The event topic that drops a session from every process's cache.
inline constexpr const char* kSessionTopic = "mcp.session";

}  // namespace mcp
