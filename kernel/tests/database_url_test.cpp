#include "db/database_url.hpp"

#include <gtest/gtest.h>

using namespace ambit::kernel;

TEST(DatabaseUrl, SqliteForms) {
  EXPECT_EQ(parse_database_url("sqlite3:///var/lib/a.db").connect_string, "db=/var/lib/a.db");
  EXPECT_EQ(parse_database_url("sqlite3://data/a.db").sqlite_path, "data/a.db");
  EXPECT_EQ(parse_database_url("sqlite3://db=/x/y.db").sqlite_path, "/x/y.db");
  EXPECT_EQ(parse_database_url("sqlite3:///with space/a.db").connect_string, "db='/with space/a.db'");
}

TEST(DatabaseUrl, LibpqUriBecomesKeywordFormAndIsRedacted) {
  auto t = parse_database_url("postgresql://app:s%20cret@db.internal:5433/ambit?sslmode=disable&connect_timeout=5");
  EXPECT_EQ(t.dialect, ambit::sdk::Dialect::postgresql);
  EXPECT_EQ(t.connect_string,
            "host=db.internal port=5433 user=app password='s cret' dbname=ambit sslmode=disable connect_timeout=5");
  EXPECT_EQ(t.redacted.find("cret"), std::string::npos);
  EXPECT_NE(t.redacted.find("password=***"), std::string::npos);
}

TEST(DatabaseUrl, KeywordFormPassesThrough) {
  auto t = parse_database_url("postgresql://host=127.0.0.1 port=5432 dbname=x user=y password=z");
  EXPECT_EQ(t.connect_string, "host=127.0.0.1 port=5432 dbname=x user=y password=z");
  EXPECT_EQ(t.redacted.find("password=z"), std::string::npos);
  EXPECT_EQ(parse_database_url("postgres://u@[::1]:5432/db").connect_string, "host=::1 port=5432 user=u dbname=db");
}

TEST(DatabaseUrl, RejectsUnknownSchemesWithAReason) {
  EXPECT_THROW(parse_database_url("mysql://x"), std::invalid_argument);
  EXPECT_THROW(parse_database_url("just-a-path.db"), std::invalid_argument);
  EXPECT_THROW(parse_database_url("sqlite3://"), std::invalid_argument);
}
