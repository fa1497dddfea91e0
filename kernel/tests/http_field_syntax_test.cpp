#include "http/request_framing.hpp"

#include <gtest/gtest.h>

using ambit::kernel::valid_field_name;
using ambit::kernel::valid_field_value;

TEST(HttpFieldSyntax, NamesAreTokens) {
  EXPECT_TRUE(valid_field_name("X-Request-Id"));
  EXPECT_TRUE(valid_field_name("etag"));
  EXPECT_FALSE(valid_field_name(""));
  EXPECT_FALSE(valid_field_name("X-A: b"));
  EXPECT_FALSE(valid_field_name("X A"));
  EXPECT_FALSE(valid_field_name("X\r\nSet-Cookie"));
  EXPECT_FALSE(valid_field_name("X-\x7f"));
  EXPECT_FALSE(valid_field_name("X-\xc3\xa9"));
}

TEST(HttpFieldSyntax, ValuesHoldNoControlCharacterButTab) {
  EXPECT_TRUE(valid_field_value(""));
  EXPECT_TRUE(valid_field_value("<https://a.test/x?cursor=abc>; rel=\"next\""));
  EXPECT_TRUE(valid_field_value("a\tb"));
  EXPECT_TRUE(valid_field_value("caf\xc3\xa9"));  // obs-text is allowed
  EXPECT_FALSE(valid_field_value("a\r\nSet-Cookie: x=1"));
  EXPECT_FALSE(valid_field_value("a\nb"));
  EXPECT_FALSE(valid_field_value(std::string_view("a\0b", 3)));
  EXPECT_FALSE(valid_field_value("a\x10" "b"));
  EXPECT_FALSE(valid_field_value("a\x7f"));
}
