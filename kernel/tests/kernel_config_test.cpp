#include "config/kernel_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace ambit::kernel;
using ::testing::IsSupersetOf;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST(KernelConfig, AcceptsCommentsTrailingCommasAndAppliesDefaults) {
  auto r = load_config_text(R"(// a comment
    {
      "server": {"listen": "0.0.0.0:9000", /* inline */ "worker_threads": 4,},
      "plugins": [{"name": "auth-apikey", "config": {"x": 1}},],
    })", "test.json", env_of({}));
  ASSERT_TRUE(r.config) << r.errors.front();
  EXPECT_EQ(r.config->listen_host, "0.0.0.0");
  EXPECT_EQ(r.config->listen_port, 9000);
  EXPECT_EQ(r.config->worker_threads, 4);
  EXPECT_EQ(r.config->body_limit, 1u << 20);
  EXPECT_EQ(r.config->public_url, "http://0.0.0.0:9000");
  EXPECT_EQ(r.config->database_url, "sqlite3://data/ambit.db");
  ASSERT_EQ(r.config->plugins.size(), 1u);
  EXPECT_EQ(r.config->plugins[0].config.at("x").as_int64(), 1);
}

TEST(KernelConfig, EnvironmentOverridesTheFile) {
  auto r = load_config_text(R"({"server": {"listen": "127.0.0.1:8080"}, "data_dir": "d"})", "t.json",
                            env_of({{"AMBIT_LISTEN", "[::1]:0"},
                                    {"AMBIT_DATABASE_URL", "postgresql://u@h/db"},
                                    {"AMBIT_DATA_DIR", "/var/lib/ambit"},
                                    {"AMBIT_LOG_LEVEL", "warn"},
                                    {"AMBIT_MASTER_KEY", "abc"}}));
  ASSERT_TRUE(r.config) << r.errors.front();
  EXPECT_EQ(r.config->listen_host, "::1");
  EXPECT_EQ(r.config->listen_port, 0);
  EXPECT_EQ(r.config->database_url, "postgresql://u@h/db");
  EXPECT_EQ(r.config->data_dir, "/var/lib/ambit");
  EXPECT_EQ(r.config->log_level, ambit::sdk::LogLevel::warn);
  EXPECT_EQ(r.config->master_key_base64, "abc");
}

TEST(KernelConfig, ErrorsNameTheirPath) {
  auto r = load_config_text(R"({"server": {"listen": "nope", "body_limit_bytes": "big"}, "colour": 1,
                                "plugins": [{"name": "a"}, {"config": {}}, {"name": "a"}]})",
                            "t.json", env_of({{"AMBIT_LOG_LEVEL", "loud"}}));
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.errors, IsSupersetOf({"server.body_limit_bytes: expected integer", "colour: unknown key",
                                       "plugins[1].name: is required"}));
}

TEST(KernelConfig, SemanticErrorsAfterTheSchemaPasses) {
  auto r = load_config_text(R"({"server": {"listen": "localhost"}, "plugins": [{"name": "a"}, {"name": "a"}]})",
                            "t.json", env_of({{"AMBIT_LOG_LEVEL", "loud"}}));
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.errors, IsSupersetOf({"server.listen: expected host:port, got \"localhost\"",
                                       "AMBIT_LOG_LEVEL: expected one of debug, info, warn, error",
                                       "plugins[1].name: plugin \"a\" is listed twice"}));
}

TEST(KernelConfig, MalformedJsonGivesLineAndColumn) {
  auto r = load_config_text("{\n  \"server\": {\n    \"listen\": ,\n  }\n}", "bad.json", env_of({}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("bad.json: line 3"), std::string::npos) << r.errors[0];
}
