#pragma once
// Cross-process events for cache invalidation.
//
// `publish` inside a transaction is delivered to every other process sharing
// the database after that transaction commits (PostgreSQL LISTEN/NOTIFY), and
// to this process twice: at once, and again after the commit (so nothing
// cached from the old state in between survives). Use events to invalidate
// caches (handlers must be idempotent; a spurious invalidation when the
// transaction rolls back is harmless), not to carry state. Subscribers also receive the topic "*" with an empty
// payload when the event connection was lost and re-established: events may
// have been missed, so drop every cache.

#include <soci/soci.h>

#include <functional>
#include <string>
#include <string_view>

namespace ambit::sdk {
inline namespace v1 {

using EventHandler = std::function<void(std::string_view topic, std::string_view payload)>;

class Events {
 public:
  virtual ~Events() = default;
  /// Payload at most ~7 KB (PostgreSQL's NOTIFY limit); send ids, not data.
  virtual void publish(soci::session& tx, std::string_view topic, std::string_view payload) = 0;
  /// Handlers run on the kernel's event thread; keep them short and thread-safe.
  virtual void subscribe(std::string topic, EventHandler handler) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
