#include "db/soci_database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <random>
#include <vector>
#include <stdexcept>
#include <thread>

namespace ambit::kernel {
namespace {

void configure_connection(soci::session& s, sdk::Dialect dialect) {
  if (dialect == sdk::Dialect::sqlite) {
    // WAL lets readers run beside the single writer; the busy timeout makes
    // writers queue instead of failing while another holds the lock.
    s << "PRAGMA journal_mode=WAL";
    s << "PRAGMA busy_timeout=10000";
    s << "PRAGMA synchronous=NORMAL";
    s << "PRAGMA foreign_keys=ON";
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

}  // namespace

std::unique_ptr<soci::session> open_session(const DatabaseTarget& target) {
  try {
    auto s = target.dialect == sdk::Dialect::sqlite
                 ? std::make_unique<soci::session>(*soci::factory_sqlite3(), target.connect_string)
                 : std::make_unique<soci::session>(*soci::factory_postgresql(), target.connect_string);
    configure_connection(*s, target.dialect);
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot connect to database " + target.redacted + ": " + e.what());
  }
}

SociDatabase::SociDatabase(const DatabaseTarget& target, int pool_size)
    : target_(target), size_(pool_size), pool_(static_cast<std::size_t>(pool_size)) {
  for (int i = 0; i < pool_size; ++i) {
    soci::session& s = pool_.at(static_cast<std::size_t>(i));
    try {
      if (target.dialect == sdk::Dialect::sqlite)
        s.open(*soci::factory_sqlite3(), target.connect_string);
      else
        s.open(*soci::factory_postgresql(), target.connect_string);
      configure_connection(s, target.dialect);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot connect to database " + target.redacted + ": " + e.what());
    }
  }
}

SociDatabase::~SociDatabase() = default;

sdk::Session SociDatabase::session() {
  std::size_t pos = pool_.lease();
  in_use_.fetch_add(1, std::memory_order_relaxed);
  soci::session* s = &pool_.at(pos);
  return sdk::Session(s, [this, pos](soci::session* sess) {
    // A connection the server dropped is reopened before it is lent again.
    if (!sess->is_connected()) {
      try { sess->reconnect(); } catch (...) {}
    }
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    pool_.give_back(pos);
  });
}

void SociDatabase::transaction(const std::function<void(soci::session&)>& work) {
  constexpr int max_attempts = 5;
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    auto s = session();
    try {
      *s << (target_.dialect == sdk::Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    } catch (...) {
      if (!s->is_connected()) s->reconnect();
      throw;
    }
    ActiveTransaction active{s.get(), {}};
    ActiveTransaction* outer = active_transaction;
    active_transaction = &active;
    try {
      work(*s);
      *s << "COMMIT";
      active_transaction = outer;
      for (auto& hook : active.hooks) hook();
      return;
    } catch (const std::exception& e) {
      active_transaction = outer;
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

}  // namespace ambit::kernel
