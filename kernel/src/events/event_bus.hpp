#pragma once
// sdk::Events: local delivery at once, cross-process delivery through
// PostgreSQL LISTEN/NOTIFY on one dedicated connection. On SQLite the
// database has one writer process, so local delivery is all there is.

#include <atomic>
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

 private:
  void deliver(std::string_view topic, std::string_view payload);
  void deliver_reset();
  void listen_loop();

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
};

}  // namespace ambit::kernel
