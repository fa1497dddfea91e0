#include "config/json_schema.hpp"

#include <gtest/gtest.h>

namespace json = boost::json;
using ambit::kernel::apply_schema;

namespace {
const json::value schema = json::parse(R"({
  "type": "object",
  "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "grace_max_hours": {"type": "integer", "minimum": 0, "maximum": 168, "default": 24},
    "mode": {"type": "string", "enum": ["strict", "legacy"], "default": "strict"},
    "nested": {"type": "object", "properties": {"depth": {"type": "integer", "default": 3}}},
    "list": {"type": "array", "items": {"type": "integer"}}
  }})");
}  // namespace

TEST(JsonSchema, FillsDefaultsIncludingNestedObjects) {
  std::vector<std::string> errors;
  auto out = apply_schema(schema, json::parse(R"({"name": "x"})"), "", errors);
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(out.at("grace_max_hours").as_int64(), 24);
  EXPECT_EQ(out.at("mode").as_string(), "strict");
  EXPECT_EQ(out.at("nested").at("depth").as_int64(), 3);
}

TEST(JsonSchema, ReportsEveryProblemWithItsPath) {
  std::vector<std::string> errors;
  apply_schema(schema, json::parse(R"({"grace_max_hours": "x", "mode": "loose", "extra": 1, "list": [1, "two"]})"),
               "plugins[2].config", errors);
  std::vector<std::string> expected = {
      "plugins[2].config.grace_max_hours: expected integer",
      "plugins[2].config.mode: must be one of: strict, legacy",
      "plugins[2].config.extra: unknown key",
      "plugins[2].config.list[1]: expected integer",
      "plugins[2].config.name: is required",
  };
  for (auto& e : expected) EXPECT_NE(std::find(errors.begin(), errors.end(), e), errors.end()) << "missing: " << e;
  EXPECT_EQ(errors.size(), expected.size());
}

TEST(JsonSchema, EnforcesBoundsAndEmptyStrings) {
  std::vector<std::string> errors;
  apply_schema(schema, json::parse(R"({"name": "", "grace_max_hours": 169})"), "", errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "name: must not be empty");
  EXPECT_EQ(errors[1], "grace_max_hours: must be at most 168");
}

TEST(JsonSchema, RejectsUnsupportedKeywordsInASchema) {
  std::vector<std::string> errors;
  ambit::kernel::check_schema(
      json::parse(R"({"type": "object", "properties": {"a": {"patternProperties": {}, "maxLength": "x"}}})"), "s", errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "s.properties.a.patternProperties: unsupported schema keyword");
  EXPECT_EQ(errors[1], "s.properties.a.maxLength: must be a non-negative integer");
}

TEST(JsonSchema, WholeDoublesAreIntegersOnlyWithinInt64) {
  const auto depth = [](const char* value) {
    std::vector<std::string> errors;
    auto out = apply_schema(schema, json::parse(std::string(R"({"name": "x", "nested": {"depth": )") + value + "}}"), "", errors);
    return errors.empty() ? json::serialize(out.at("nested").at("depth")) : errors.front();
  };
  EXPECT_EQ(depth("3.0"), "3");
  EXPECT_EQ(depth("3.5"), "nested.depth: expected integer");
  EXPECT_EQ(depth("1e300"), "nested.depth: expected integer");
  EXPECT_EQ(depth("-9223372036856775801e3080"), "nested.depth: expected integer");
  EXPECT_EQ(depth("18446744073709551616.0"), "nested.depth: expected integer");
}

TEST(JsonSchema, ObjectsAreClosedUnlessTheSchemaOpensThem) {
  const json::value s = json::parse(R"({"type": "object", "properties": {
    "hooks": {"type": "array", "items": {"type": "object", "properties": {"url": {"type": "string"}}}},
    "target": {"anyOf": [{"type": "object", "properties": {"id": {"type": "integer"}}}, {"type": "string"}]},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}}}})");
  std::vector<std::string> errors;
  auto out = apply_schema(s, json::parse(R"({"hooks": [{"url": "u", "secret": 1}], "target": {"id": 2.0, "x": 1},
                                              "labels": {"a": "b", "c": 3}})"),
                          "p", errors);
  EXPECT_EQ(errors, (std::vector<std::string>{"p.hooks[0].secret: unknown key", "p.target.x: unknown key",
                                              "p.labels.c: expected string"}));
  errors.clear();
  out = apply_schema(s, json::parse(R"({"target": {"id": 2.0}, "labels": {"a": "b"}})"), "p", errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(out.at("target").at("id").is_double());  // defaults and integer forms are not applied inside anyOf
}
