// PostgreSQL restarts, as a client sees them: every connection of the server
// is terminated (pg_terminate_backend, what a restart does to them) while
// requests run; no request answers 500, and requests succeed again at once.
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <atomic>
#include <regex>
#include <thread>

#include "e2e_util.hpp"

using namespace ambit::test;
namespace json = boost::json;

namespace {

/// postgresql://user[:pass]@host:port/db as libpq keywords (SOCI's form).
std::string keyword_form(const std::string& url) {
  static const std::regex uri(R"(postgresql://([^:@/]+)(?::([^@/]*))?@([^:/]+):(\d+)/([^?]+).*)");
  std::smatch m;
  if (!std::regex_match(url, m, uri)) return url;
  std::string out = "host=" + m[3].str() + " port=" + m[4].str() + " dbname=" + m[5].str() + " user=" + m[1].str();
  if (m[2].matched) out += " password=" + m[2].str();
  return out;
}

/// Terminate every connection to the test's own database, as a restart would.
int terminate_connections(const std::string& url) {
  const char* admin = std::getenv("AMBIT_TEST_PG_ADMIN_URL");
  if (!admin) return -1;
  std::string dbname = url.substr(url.rfind('/') + 1);
  soci::session s(*soci::factory_postgresql(), keyword_form(admin));
  int n = 0;
  s << "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
       " WHERE datname = :d AND pid <> pg_backend_pid()) t",
      soci::use(dbname), soci::into(n);
  return n;
}

}  // namespace

TEST(DbConnectionLoss, KillingEveryConnectionUnderLoadAnswersNo500AndRecovers) {
  AMBIT_REQUIRE_BACKEND(Backend::postgresql);
  TempDir dir;
  TestDatabase db(Backend::postgresql, dir);
  auto file = write_config(dir, e2e_config(dir, db.url(), {json::object{{"name", "auth-apikey"}},
                                                           json::object{{"name", "projects"}}}));
  auto owner = bootstrap_owner(file);
  ASSERT_FALSE(owner.key.empty());
  ServerProcess server(file);
  auto list = [&] { return http(server.port(), "GET", "/v1/admin/projects", bearer(owner.key)).status; };
  ASSERT_EQ(list(), 200);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, server_errors{0}, other{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&] {
      for (int n = 0; n < 2000 && !stop; ++n) {  // bounded
        int status = list();
        (status == 200 ? ok : status == 503 ? unavailable : status >= 500 ? server_errors : other)++;
      }
    });
  for (int round = 0; round < 5; ++round) {  // five "restarts"
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(terminate_connections(db.url()), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : clients) t.join();
  std::printf("after terminating every connection 5 times: %d ok, %d 503, %d other 5xx, %d other\n", ok.load(),
              unavailable.load(), server_errors.load(), other.load());
  EXPECT_EQ(server_errors, 0);
  EXPECT_EQ(other, 0);
  // Right away, not after a delay: every request of a fresh round succeeds.
  terminate_connections(db.url());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(list(), 200);
  EXPECT_EQ(http(server.port(), "GET", "/readyz").status, 200);
}
