// The audit writer and reader on both databases: a large batch lands once
// with every field; a batch retried after a failure that had written it (a
// COMMIT lost on the way back) skips the rows already there instead of
// failing on them forever; pages run newest first across days and weeks.
#include <soci/soci.h>

#include "audit/audit_query.hpp"
#include "audit/audit_writer.hpp"
#include "db_fixture.hpp"
#include "util/ids.hpp"

using namespace ambit;
using namespace ambit::test;

namespace {

class AuditWriter : public DbTest {
 protected:
  static std::vector<kernel::AuditRow> rows(int n) {
    std::vector<kernel::AuditRow> out;
    const std::int64_t start = 1'796'000'000'000;
    for (int i = 0; i < n; ++i) {
      sdk::AuditRecord r;
      r.at = start + i * 10;
      r.id = kernel::new_time_ordered_id(r.at);
      r.tenant_id = "t1";
      r.user_id = i % 2 ? "u1" : "";
      r.credential_type = "api_key";
      r.credential_id = "key_" + std::to_string(i % 7);
      r.method = "GET";
      r.route = "/v1/me\ttab\\slash";  // COPY's escapes
      r.status = 200;
      r.request_id = "req" + std::to_string(i);
      out.push_back(kernel::AuditRow::from(r, {.tool = "", .operation = "me.get", .client_ip = "::1"}));
    }
    return out;
  }
  long long count(const std::string& where = "1 = 1") {
    long long n = 0;
    *db->session() << "SELECT COUNT(*) FROM ambit_audit WHERE " + where, soci::into(n);
    return n;
  }
};

TEST_P(AuditWriter, ALargeBatchLandsOnceWithEveryField) {
  migrate_kernel();
  kernel::AuditWriter writer(*db);
  auto batch = rows(5000);
  writer.write(batch);
  EXPECT_EQ(count(), 5000);
  EXPECT_EQ(count("route = '/v1/me\ttab\\slash' AND operation = 'me.get' AND client_ip = '::1'"), 5000);
  EXPECT_EQ(count("user_id IS NULL"), 2500);
  EXPECT_EQ(count("tool IS NULL"), 5000);
}

TEST_P(AuditWriter, ARetryAfterAPartialWriteSkipsTheRowsAlreadyThere) {
  migrate_kernel();
  kernel::AuditWriter writer(*db);
  auto batch = rows(5000);
  writer.write(std::vector<kernel::AuditRow>(batch.begin(), batch.begin() + 3000));  // "committed, answer lost"
  EXPECT_ANY_THROW(writer.write(batch));  // a plain write meets its own rows
  writer.write(batch);                     // the retry after a failure skips them
  EXPECT_EQ(count(), 5000);
  writer.write(rows(0));
  EXPECT_EQ(count(), 5000);
}

// Reads go newest first across time (on PostgreSQL, window by window:
// a day, a week, the rest), page by page, each row once.
TEST_P(AuditWriter, PagesRunNewestFirstAcrossDaysAndWeeksWithEveryRowOnce) {
  migrate_kernel();
  kernel::AuditWriter writer(*db);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  const std::int64_t day = 86'400'000;
  std::vector<kernel::AuditRow> batch;
  std::vector<std::string> ids;
  for (std::int64_t ago : {40 * day, 10 * day, 3 * day, day / 2, std::int64_t{1000}}) {
    for (int i = 0; i < 3; ++i) {
      sdk::AuditRecord r;
      r.at = now - ago + i;
      r.id = kernel::new_time_ordered_id(r.at);
      r.tenant_id = "t1";
      r.credential_type = "api_key";
      r.credential_id = "key_1";
      r.method = "GET";
      r.route = "/v1/me";
      r.status = i == 0 ? 500 : 200;
      r.request_id = "r";
      batch.push_back(kernel::AuditRow::from(r, {}));
      ids.push_back(r.id);
    }
  }
  writer.write(batch);
  std::sort(ids.rbegin(), ids.rend());

  auto all_pages = [&](kernel::AuditSearch search) {
    std::vector<std::string> seen;
    do {
      auto page = kernel::search_audit(*db, search);
      EXPECT_LE(page.rows.size(), static_cast<std::size_t>(search.query.limit));
      for (auto& row : page.rows) seen.emplace_back(row.columns()[kernel::kId]);
      search.query.cursor = page.next_cursor;
    } while (!search.query.cursor.empty() && seen.size() < 100);
    return seen;
  };
  kernel::AuditSearch search;
  search.query.tenant_id = "t1";
  search.query.limit = 2;
  EXPECT_EQ(all_pages(search), ids);

  search.query.status = 500;  // one row a day: every window is needed
  std::vector<std::string> failed;
  for (std::size_t i = 0; i < ids.size(); i += 3) failed.push_back(ids[i + 2]);  // i == 0 is the oldest of each three
  EXPECT_EQ(all_pages(search), failed);

  search.query.status.reset();
  search.query.since = now - 12 * day;
  search.query.until = now - day;
  EXPECT_EQ(all_pages(search), std::vector<std::string>(ids.begin() + 6, ids.begin() + 12));
}

AMBIT_INSTANTIATE_DB_TEST(AuditWriter);

}  // namespace
