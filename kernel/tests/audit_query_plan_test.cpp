// Every filter of GET /v1/audit is served by an index, in the index's order:
// the first page never scans or sorts the table, however many rows it holds.
// Checked on the plans both databases choose for each statement.
#include <soci/soci.h>

#include <variant>

#include "audit/audit_partitions.hpp"
#include "audit/audit_query.hpp"
#include "db_fixture.hpp"

using namespace ambit;
using namespace ambit::test;

namespace {

class AuditQueryPlan : public DbTest {
 protected:
  /// The plan of the search's statement, one line per step.
  std::string plan(const kernel::AuditSearch& search) {
    auto statement = kernel::audit_statement(db->dialect(), search);
    bool postgres = db->dialect() == sdk::Dialect::postgresql;
    auto s = db->session();
    if (postgres) {
      // Tiny tables would make a scan the cheapest plan; what matters is
      // whether an index can answer at all.
      *s << "SET enable_seqscan = off";
      *s << "SET enable_sort = off";
    }
    soci::row row;
    soci::statement st(*s);
    st.alloc();
    st.prepare((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + statement.sql);
    st.exchange(soci::into(row));
    for (auto& value : statement.values) std::visit([&](auto& v) { st.exchange(soci::use(v)); }, value);
    st.define_and_bind();
    st.execute(false);
    std::string out;
    while (st.fetch()) out += row.get<std::string>(row.size() - 1) + "\n";
    if (postgres) {
      *s << "RESET enable_seqscan";
      *s << "RESET enable_sort";
    }
    return out;
  }
};

TEST_P(AuditQueryPlan, EveryFilterIsAnIndexRangeReadInOrder) {
  migrate_kernel();
  if (db->dialect() == sdk::Dialect::postgresql) {
    auto today = kernel::audit_day(1'796'000'000'000);
    db->transaction([&](soci::session& tx) {
      for (auto day = today - 2; day <= today; ++day) kernel::ensure_audit_partition(*db, tx, day);
    });
  }
  const std::string cursor = "01a2481fd849-c3cc80c4-00000013";
  struct Case {
    std::string name;
    kernel::AuditSearch search;
    std::string sqlite_index, postgres_index;  ///< the index each database must use
  };
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string sqlite_index, std::string postgres_index, auto change) {
    kernel::AuditSearch search;
    search.query.tenant_id = "t1";
    change(search);
    cases.push_back({std::move(name), std::move(search), std::move(sqlite_index), std::move(postgres_index)});
  };
  const std::string primary_sqlite = "USING PRIMARY KEY", primary_pg = "_pkey";
  add("no filter", primary_sqlite, primary_pg, [](auto&) {});
  add("credential", "USING INDEX ambit_audit_by_credential", "tenant_id_credential_id_at_id",
      [](auto& s) { s.query.credential_id = "key_1"; });
  add("user", "USING INDEX ambit_audit_by_user", "tenant_id_user_id_at_id", [](auto& s) { s.query.user_id = "u1"; });
  add("status", "USING INDEX ambit_audit_by_status", "tenant_id_status_at_id", [](auto& s) { s.query.status = 500; });
  add("route", "USING INDEX ambit_audit_by_route", "tenant_id_route_at_id",
      [](auto& s) { s.route = "/v1/api_keys/:id"; });
  add("time range", primary_sqlite, primary_pg, [](auto& s) {
    s.query.since = 1'795'900'000'000;
    s.query.until = 1'795'903'600'000;
  });
  add("next page", primary_sqlite, primary_pg, [&](auto& s) { s.query.cursor = cursor; });
  add("credential, next page", "USING INDEX ambit_audit_by_credential", "tenant_id_credential_id_at_id", [&](auto& s) {
    s.query.credential_id = "key_1";
    s.query.cursor = cursor;
  });
  for (auto& [name, search, sqlite_index, postgres_index] : cases) {
    auto text = plan(search);
    SCOPED_TRACE(name + ":\n" + text);
    if (db->dialect() == sdk::Dialect::sqlite) {
      EXPECT_NE(text.find("SEARCH ambit_audit " + sqlite_index), std::string::npos);
      EXPECT_EQ(text.find("SCAN ambit_audit"), std::string::npos);
      EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos);  // no sort: the index gives the order
    } else {
      EXPECT_NE(text.find(postgres_index), std::string::npos);
      EXPECT_EQ(text.find("Seq Scan"), std::string::npos);
      EXPECT_EQ(text.find("Sort"), std::string::npos);
    }
  }
}

AMBIT_INSTANTIATE_DB_TEST(AuditQueryPlan);

}  // namespace
