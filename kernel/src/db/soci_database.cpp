#include "db/soci_database.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ambit::kernel {
namespace {

// The guarded call running on this thread, if any (see DbActivityScope).
thread_local DbActivity* current_activity = nullptr;

// Counts the statements a pooled session starts, for the request guard's
// "did anything run before the failure" question.
class CountingLogger final : public soci::logger_impl {
 public:
  void start_query(const std::string& query) override {
    if (current_activity) ++current_activity->statements;
    last_query_ = query;
  }
  std::string get_last_query() const override { return last_query_; }

 private:
  soci::logger_impl* do_clone() const override { return new CountingLogger; }
  std::string last_query_;
};

void note_connection_lost() {
  if (current_activity) current_activity->connection_lost = true;
}

// Server messages on a pool connection (a NOTICE, the FATAL sent before the
// server closes it) would go to stderr as raw text, amid the JSON log.
void ignore_notice(void*, const char*) {}

void configure_connection(soci::session& s, sdk::Dialect dialect) {
  if (dialect == sdk::Dialect::sqlite) {
    // WAL lets readers run beside the single writer; the busy timeout makes
    // writers queue instead of failing while another holds the lock.
    s << "PRAGMA journal_mode=WAL";
    s << "PRAGMA busy_timeout=10000";
    s << "PRAGMA synchronous=NORMAL";
    s << "PRAGMA foreign_keys=ON";
  } else if (PGconn* conn = pg_connection(s)) {
    PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  }
}

// The transaction() running on this thread, for after_commit().
struct ActiveTransaction {
  soci::session* session = nullptr;
  std::vector<std::function<void()>> hooks;
};
thread_local ActiveTransaction* active_transaction = nullptr;

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
  return h;
}

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

// The database holds password hashes and emails: owner-only. Created 0600
// before SQLite opens it, because SQLite gives -wal and -shm the database
// file's mode; files of older versions are tightened.
void protect_sqlite_files(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
}

}  // namespace

DatabaseUnavailable::DatabaseUnavailable(std::string detail)
    : sdk::ApiError(503, "UNAVAILABLE", "the database is unavailable; retry shortly", {{"retry_after", 1}}),
      detail_(std::move(detail)) {}

DbActivityScope::DbActivityScope() : outer_(current_activity) { current_activity = &activity_; }
DbActivityScope::~DbActivityScope() { current_activity = outer_; }

std::string with_connection_defaults(const std::string& connect_string) {
  std::string out = connect_string;
  auto add = [&](const char* key, const char* value) {
    if (!contains(out, key)) out += std::string(" ") + key + "=" + value;
  };
  // Without a timeout, connecting to an unreachable host blocks a request for minutes.
  add("connect_timeout", "5");
  // A half-open connection (peer gone without a FIN) is noticed in about a minute.
  add("keepalives_idle", "30");
  add("keepalives_interval", "10");
  add("keepalives_count", "3");
  return out;
}

std::unique_ptr<soci::session> open_session(const DatabaseTarget& target) {
  try {
    auto s = target.dialect == sdk::Dialect::sqlite
                 ? std::make_unique<soci::session>(*soci::factory_sqlite3(), target.connect_string)
                 : std::make_unique<soci::session>(*soci::factory_postgresql(),
                                                   with_connection_defaults(target.connect_string));
    configure_connection(*s, target.dialect);
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot connect to database " + target.redacted + ": " + e.what());
  }
}

SociDatabase::SociDatabase(const DatabaseTarget& target, int pool_size)
    : target_(target), size_(pool_size), pool_(static_cast<std::size_t>(pool_size)) {
  if (target_.dialect == sdk::Dialect::sqlite) protect_sqlite_files(target_.sqlite_path);
  for (int i = 0; i < pool_size; ++i) {
    try {
      open_slot(pool_.at(static_cast<std::size_t>(i)));
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot connect to database " + target.redacted + ": " + e.what());
    }
  }
}

SociDatabase::~SociDatabase() = default;

void SociDatabase::open_slot(soci::session& s) {
  if (target_.dialect == sdk::Dialect::sqlite)
    s.open(*soci::factory_sqlite3(), target_.connect_string);
  else
    s.open(*soci::factory_postgresql(), with_connection_defaults(target_.connect_string));
  s.set_logger(new CountingLogger);
  configure_connection(s, target_.dialect);
}

// A connection the server closed (restart, pg_terminate_backend) is reopened
// before it is lent: handing it out would fail the caller's first statement.
void SociDatabase::make_usable(soci::session& s) {
  if (connection_alive(s)) return;
  try {
    s.reconnect();
    configure_connection(s, target_.dialect);
    reconnects_.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::exception& e) {
    throw DatabaseUnavailable(std::string("cannot reconnect to the database: ") + e.what());
  }
}

sdk::Session SociDatabase::session() {
  std::size_t pos = pool_.lease();
  in_use_.fetch_add(1, std::memory_order_relaxed);
  sdk::Session s(&pool_.at(pos), [this, pos](soci::session* sess) {
    // A connection that broke while lent is reopened at its next lease.
    if (!connection_alive(*sess)) note_connection_lost();
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    pool_.give_back(pos);
  });
  make_usable(*s);
  return s;
}

void SociDatabase::transaction(const std::function<void(soci::session&)>& work) {
  constexpr int max_attempts = 5;
  thread_local std::minstd_rand jitter{std::random_device{}()};
  bool reran_after_connection_loss = false;
  for (int attempt = 1;; ++attempt) {
    auto s = session();
    ActiveTransaction active{s.get(), {}};
    ActiveTransaction* outer = active_transaction;
    active_transaction = &active;
    bool committing = false;
    try {
      *s << (target_.dialect == sdk::Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      work(*s);
      committing = true;
      *s << "COMMIT";
      active_transaction = outer;
      for (auto& hook : active.hooks) hook();
      return;
    } catch (const std::exception& e) {
      active_transaction = outer;
      if (!connection_alive(*s)) {
        note_connection_lost();
        // Before COMMIT the server rolled the work back: rerun it once on a
        // fresh connection. At COMMIT the outcome is unknown: never repeat.
        if (committing || reran_after_connection_loss)
          throw DatabaseUnavailable(std::string("the database connection broke") +
                                    (committing ? " during COMMIT: " : ": ") + e.what());
        reran_after_connection_loss = true;
        continue;
      }
      try { *s << "ROLLBACK"; } catch (...) {}
      if (attempt >= max_attempts || !is_retryable_db_error(e)) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt + jitter() % 20));
  }
}

void SociDatabase::lock_in_transaction(soci::session& tx, const std::string& key) {
  if (target_.dialect != sdk::Dialect::postgresql) return;  // BEGIN IMMEDIATE already serializes
  long long id = static_cast<long long>(fnv1a64(key));
  tx << "SELECT pg_advisory_xact_lock(:k)", soci::use(id);
}

void SociDatabase::after_commit(soci::session& tx, std::function<void()> hook) {
  if (active_transaction && active_transaction->session == &tx) {
    active_transaction->hooks.push_back(std::move(hook));
  } else {
    hook();
  }
}

bool SociDatabase::ping() {
  try {
    auto s = session();
    int one = 0;
    *s << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (...) {
    return false;
  }
}

bool connection_alive(soci::session& s) {
  if (!s.get_backend()) return false;  // a reconnect that failed left no backend
  if (s.get_backend_name() == "sqlite3") return true;
  PGconn* conn = pg_connection(s);
  if (!conn) return false;
  // An idle connection has nothing to read: readable means the server sent
  // something unasked (a FATAL before closing, a NOTICE) or closed it. Read it
  // and look again; a closed connection turns CONNECTION_BAD.
  for (int i = 0; i < 4 && PQstatus(conn) == CONNECTION_OK; ++i) {
    pollfd pfd{PQsocket(conn), POLLIN, 0};
    if (::poll(&pfd, 1, 0) <= 0) break;
    if (!PQconsumeInput(conn)) return false;
  }
  return PQstatus(conn) == CONNECTION_OK;
}

bool is_retryable_db_error(const std::exception& e) {
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    auto state = pg->sqlstate();
    return state == "40001" || state == "40P01";
  }
  if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    return lite->result() == 5 /* SQLITE_BUSY */ || lite->result() == 6 /* SQLITE_LOCKED */;
  }
  return false;
}

bool is_connection_error(const std::exception& e) {
  if (dynamic_cast<const DatabaseUnavailable*>(&e)) return true;
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    auto state = pg->sqlstate();
    // 08: connection exception; 57P01-03: the server terminated the backend or is shutting down.
    return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
  }
  if (dynamic_cast<const soci::soci_error*>(&e)) {
    std::string what = e.what();
    return contains(what, "Cannot establish connection") || contains(what, "Session is not connected");
  }
  return false;
}

// SOCI's backend classes carry no exported type info: tell them apart by name.
PGconn* pg_connection(soci::session& s) {
  if (!s.get_backend() || s.get_backend_name() != "postgresql") return nullptr;
  return static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
}

}  // namespace ambit::kernel
