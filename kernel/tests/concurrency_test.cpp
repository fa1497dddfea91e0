// Shared state hammered from several threads at once, for ThreadSanitizer
// (the tsan preset) as much as for the assertions: the hot-path credential
// cache and the audit queue. Each test also checks what a user relies on.
#include <atomic>
#include <thread>

#include "ambit/sdk/cache.hpp"
#include "audit/audit_log.hpp"
#include "db_fixture.hpp"
#include "util/ids.hpp"

using namespace ambit;
using ambit::test::DbTest;

// Readers, loaders and invalidators at once: a load that raced an
// invalidation never stores what it read before it (the generation guard).
TEST(InvalidatingCacheConcurrency, AnInvalidationAlwaysWinsOverALoadInFlight) {
  sdk::InvalidatingCache<int> cache(1000, 1000);
  std::atomic<bool> stop{false};
  std::atomic<int> version{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        std::string key = "k" + std::to_string((i + t) % 16);
        auto generation = cache.generation();
        int seen = version.load();  // "read from the database"
        if (cache.find(key, i).kind == sdk::InvalidatingCache<int>::Kind::miss)
          cache.put(key, std::make_shared<const int>(seen), generation);
      }
    });
  threads.emplace_back([&] {
    for (int i = 0; i < 2000; ++i) {
      ++version;  // "a write", then its event
      cache.erase_if([](const int&) { return true; });
    }
    stop = true;
  });
  for (auto& t : threads) t.join();
  // After the last invalidation, nothing older than the last version remains.
  for (int k = 0; k < 16; ++k) {
    auto found = cache.find("k" + std::to_string(k), 0);
    if (found.kind == sdk::InvalidatingCache<int>::Kind::hit) {
      EXPECT_EQ(*found.value, version.load());
    }
  }
}

class AuditQueueConcurrency : public DbTest {};

// Four request threads record while the writer flushes: every row is written
// once, none lost, none twice.
TEST_P(AuditQueueConcurrency, EveryRowRecordedFromManyThreadsIsWrittenOnce) {
  migrate_kernel();
  kernel::AuditConfig config;
  config.flush_interval = std::chrono::milliseconds(5);
  kernel::AuditLog audit(*db, log, config);
  audit.start();
  constexpr int kThreads = 4, kRows = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRows; ++i) {
        sdk::AuditRecord r;
        r.id = kernel::new_time_ordered_id(1000 + i);
        r.at = 1000 + i;
        r.tenant_id = "tenant-" + std::to_string(t);
        r.credential_type = "api_key";
        r.credential_id = "key";
        r.method = "GET";
        r.route = "/v1/me";
        r.status = 200;
        r.request_id = std::to_string(i);
        audit.record(std::move(r));
      }
    });
  for (auto& t : threads) t.join();
  audit.stop();
  EXPECT_EQ(audit.dropped(), 0u);
  EXPECT_EQ(audit.written(), static_cast<std::uint64_t>(kThreads * kRows));
  int rows = 0;
  *db->session() << "SELECT COUNT(*) FROM ambit_audit", soci::into(rows);
  EXPECT_EQ(rows, kThreads * kRows);
}

AMBIT_INSTANTIATE_DB_TEST(AuditQueueConcurrency);
