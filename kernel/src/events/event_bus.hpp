#pragma once
// sdk::Events: local delivery at once, cross-process delivery through
// PostgreSQL LISTEN/NOTIFY on one dedicated connection. On SQLite the
// database has one writer process, so local delivery is all there is.
//
// The LISTEN connection has TCP keepalives and a health check: a `SELECT 1`
// every `health_interval`, answered within `health_timeout`, or the
// connection is taken for dead (a half-open connection would otherwise stop
// cross-process invalidations silently). Whenever the listener reconnects,
// subscribers get the reset topic "*": anything may have been missed.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ambit/sdk/events.hpp"
#include "ambit/sdk/logger.hpp"
#include "db/database_url.hpp"
#include "db/soci_database.hpp"

struct pg_conn;  // libpq's PGconn

namespace ambit::kernel {

class EventBus final : public sdk::Events {
 public:
  /// `db` (optional) lets local delivery repeat after the publishing
  /// transaction commits, so a cache refilled from not-yet-committed state in
  /// between is dropped again.
  EventBus(DatabaseTarget target, sdk::Logger& log, SociDatabase* db = nullptr);
  ~EventBus() override;

  void publish(soci::session& tx, std::string_view topic, std::string_view payload) override;
  void subscribe(std::string topic, sdk::EventHandler handler) override;

  /// Start listening (PostgreSQL). Returns once LISTEN is in place, so an
  /// event committed after start() is never missed.
  void start();
  void stop();
  /// Before start(): how often the LISTEN connection is checked, and how long
  /// an answer may take (defaults 5 s and 5 s).
  void set_health_check(std::chrono::milliseconds interval, std::chrono::milliseconds timeout);
  /// Times the listener re-established its connection (tests, metrics).
  int reconnects() const { return reconnects_.load(); }

 private:
  void deliver(std::string_view topic, std::string_view payload);
  void deliver_reset();
  void listen_loop();
  /// Serve one LISTEN connection until it fails or stop(); false when it failed.
  bool serve_connection(::pg_conn* conn);

  DatabaseTarget target_;
  sdk::Logger& log_;
  SociDatabase* db_;
  std::string origin_;  ///< this process; its own notifications are skipped
  std::mutex mu_;
  std::multimap<std::string, sdk::EventHandler, std::less<>> handlers_;
  std::atomic<bool> stopping_{false};
  std::thread listener_;
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  bool ready_ = false;
  std::chrono::milliseconds health_interval_{5000};
  std::chrono::milliseconds health_timeout_{5000};
  std::atomic<int> reconnects_{0};
};

}  // namespace ambit::kernel
