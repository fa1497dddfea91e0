#include "db/sql_script.hpp"

#include <gtest/gtest.h>

using ambit::kernel::split_sql_script;

TEST(SqlScript, SplitsOnSemicolonsOutsideQuotesCommentsAndDollarBodies) {
  auto s = split_sql_script(R"(-- header; not a statement
CREATE TABLE a (x TEXT DEFAULT 'a;b');
/* block; comment */ INSERT INTO a VALUES ('it''s; fine');
CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN RETURN NEW; END; $body$ LANGUAGE plpgsql;
SELECT "odd;name" FROM a
)");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0], "CREATE TABLE a (x TEXT DEFAULT 'a;b')");
  EXPECT_EQ(s[1], "INSERT INTO a VALUES ('it''s; fine')");
  EXPECT_NE(s[2].find("RETURN NEW; END; $body$ LANGUAGE plpgsql"), std::string::npos);
  EXPECT_EQ(s[3], "SELECT \"odd;name\" FROM a");
}

TEST(SqlScript, CommentsOnlyIsNoStatement) {
  EXPECT_TRUE(split_sql_script("-- nothing\n/* here */ ;\n").empty());
}
