#include "events/event_bus.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <soci/soci.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <thread>
#include <random>

namespace ambit::kernel {
namespace {

constexpr const char* kChannel = "ambit_events";

std::string make_origin() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd());
}

}  // namespace

EventBus::EventBus(DatabaseTarget target, sdk::Logger& log, SociDatabase* db)
    : target_(std::move(target)), log_(log), db_(db), origin_(make_origin()) {}

EventBus::~EventBus() { stop(); }

void EventBus::publish(soci::session& tx, std::string_view topic, std::string_view payload) {
  if (target_.dialect == sdk::Dialect::postgresql) {
    // Delivered by PostgreSQL to every listener when `tx` commits.
    std::string message = origin_ + "\n" + std::string(topic) + "\n" + std::string(payload);
    // Named: SOCI runs the statement when the expression ends, after temporaries die.
    const std::string channel = kChannel;
    tx << "SELECT pg_notify(:c, :m)", soci::use(channel), soci::use(message);
  }
  deliver(topic, payload);
  if (db_) db_->after_commit(tx, [this, t = std::string(topic), p = std::string(payload)] { deliver(t, p); });
}

void EventBus::subscribe(std::string topic, sdk::EventHandler handler) {
  std::lock_guard lock(mu_);
  handlers_.emplace(std::move(topic), std::move(handler));
}

void EventBus::deliver(std::string_view topic, std::string_view payload) {
  std::vector<sdk::EventHandler> matched;
  {
    std::lock_guard lock(mu_);
    auto [b, e] = handlers_.equal_range(topic);
    for (auto it = b; it != e; ++it) matched.push_back(it->second);
  }
  for (auto& h : matched) {
    try {
      h(topic, payload);
    } catch (const std::exception& ex) {
      log_.error("event handler failed", {{"topic", topic}, {"error", ex.what()}});
    }
  }
}

void EventBus::deliver_reset() {
  std::vector<sdk::EventHandler> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [t, h] : handlers_) all.push_back(h);
  }
  for (auto& h : all) {
    try { h("*", ""); } catch (...) {}
  }
}

void EventBus::start() {
  if (target_.dialect != sdk::Dialect::postgresql || listener_.joinable()) return;
  stopping_ = false;
  listener_ = std::thread([this] { listen_loop(); });
  std::unique_lock lock(ready_mu_);
  ready_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return ready_; });
}

void EventBus::stop() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void EventBus::set_health_check(std::chrono::milliseconds interval, std::chrono::milliseconds timeout) {
  health_interval_ = interval;
  health_timeout_ = timeout;
}

void EventBus::listen_loop() {
  bool first = true;
  const std::string conninfo = with_connection_defaults(target_.connect_string);
  while (!stopping_) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      log_.warn("event listener cannot connect; retrying", {{"error", PQerrorMessage(conn)}});
      PQfinish(conn);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    PGresult* res = PQexec(conn, (std::string("LISTEN ") + kChannel).c_str());
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
      PQfinish(conn);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (first) {
      std::lock_guard lock(ready_mu_);
      ready_ = true;
      ready_cv_.notify_all();
      first = false;
    } else {
      // Anything published while we were away is lost: caches start over.
      log_.warn("event listener reconnected; dropping caches");
      reconnects_++;
      deliver_reset();
    }
    if (!serve_connection(conn)) log_.warn("event listener connection lost; reconnecting");
    PQfinish(conn);
  }
}

bool EventBus::serve_connection(PGconn* conn) {
  using clock = std::chrono::steady_clock;
  PQsetnonblocking(conn, 1);
  auto next_check = clock::now() + health_interval_;
  bool awaiting_answer = false;  // a health check was sent and is not answered yet
  clock::time_point answer_due{};
  while (!stopping_) {
    if (!awaiting_answer && clock::now() >= next_check) {
      if (!PQsendQuery(conn, "SELECT 1")) return false;
      awaiting_answer = true;
      answer_due = clock::now() + health_timeout_;
    }
    if (PQflush(conn) < 0) return false;
    if (awaiting_answer && clock::now() > answer_due) {
      log_.warn("event listener health check unanswered", {{"timeout_ms", health_timeout_.count()}});
      return false;
    }
    pollfd pfd{PQsocket(conn), POLLIN, 0};
    int rc = ::poll(&pfd, 1, 200);
    if (rc < 0) return false;
    if (rc == 0) continue;
    if (!PQconsumeInput(conn)) return false;
    if (awaiting_answer && !PQisBusy(conn)) {
      bool healthy = true;
      while (PGresult* r = PQgetResult(conn)) {
        healthy = healthy && PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
      }
      if (!healthy) return false;
      awaiting_answer = false;
      next_check = clock::now() + health_interval_;
    }
    while (PGnotify* n = PQnotifies(conn)) {
      std::string_view msg(n->extra);
      auto a = msg.find('\n');
      auto b = a == std::string_view::npos ? a : msg.find('\n', a + 1);
      if (b != std::string_view::npos && msg.substr(0, a) != origin_)
        deliver(msg.substr(a + 1, b - a - 1), msg.substr(b + 1));
      PQfreemem(n);
    }
    if (PQstatus(conn) != CONNECTION_OK) return false;
  }
  return true;
}

}  // namespace ambit::kernel
