// The command line through the real binary: serve lifecycle order, check,
// plugins, migrate, startup refusals, keyring rotation.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "e2e_util.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {
std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST(Cli, ServeStartsPluginsInDependencyOrderAndStopsThemInReverse) {
  TempDir dir;
  std::string trace = dir.str() + "/trace.txt";
  json::object c{{"trace_file", trace}};
  auto cfg = e2e_config(dir, sqlite_url(dir),
                        {json::object{{"name", "fx-c"}, {"config", c}}, json::object{{"name", "fx-b"}, {"config", c}},
                         json::object{{"name", "fx-a"}, {"config", c}}});
  ServerProcess server(write_config(dir, cfg));
  auto r = http(server.port(), "GET", "/fixture/fx-b");
  EXPECT_EQ(r.json().at("data").at("answer").as_int64(), 42);
  server.signal(SIGINT);
  EXPECT_EQ(server.wait(10s), 0);
  EXPECT_EQ(read_file(trace),
            "setup fx-a\nsetup fx-b\nsetup fx-c\nstart fx-a\nstart fx-b\nstart fx-c\nstop fx-c\nstop fx-b\nstop fx-a\n");
}

TEST(Cli, ServeRefusesAnIncompatiblePluginNamingPluginFileAndVersions) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {json::object{{"name", "fx-major"}}});
  auto r = run_ambit({"serve", "--config", write_config(dir, cfg)}, {{"AMBIT_LISTEN", "127.0.0.1:0"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("startup error: plugin \"fx-major\" (" + (fixture_plugin_dir() / "fx-major.so").string() +
                       ") was built for SDK 2.0 but this kernel has SDK " + kernel_sdk_version()),
            std::string::npos)
      << r.err;
}

TEST(Cli, CheckPassesAGoodDeploymentWithoutServing) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {json::object{{"name", "fx-a"}}, json::object{{"name", "test-kit"}}});
  auto r = run_ambit({"check", "--config", write_config(dir, cfg)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok (2 plugins: fx-a, test-kit; database sqlite3://"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "master.key"));  // check creates nothing
}

TEST(Cli, CheckListsEveryProblemWithItsPath) {
  TempDir dir;
  auto cfg = e2e_config(dir, "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
                        {json::object{{"name", "fx-a"}, {"config", {{"answer", "x"}}}},
                         json::object{{"name", "fx-minor"}}, json::object{{"name", "fx-b"}},
                         json::object{{"name", "fx-missing-dep"}}});
  auto r = run_ambit({"check", "--config", write_config(dir, cfg)});
  EXPECT_EQ(r.exit_code, 1);
  for (const std::string& expected : std::vector<std::string>{"error: plugins[0].config.answer: expected integer",
                               "needs SDK 1.99 but this kernel has SDK " + kernel_sdk_version(),
                               "plugins[3]: plugin \"fx-missing-dep\" depends on \"fx-nowhere\"",
                               "error: database: cannot connect to database postgresql://", "problem(s)"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << "missing \"" << expected << "\" in\n" << r.out;
}

TEST(Cli, CheckReportsConfigSchemaErrors) {
  TempDir dir;
  std::ofstream(dir.path() / "bad.json") << R"({"server": {"listen": 8080}, "surprise": true})";
  auto r = run_ambit({"check", "--config", (dir.path() / "bad.json").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("error: server.listen: expected string"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error: surprise: unknown key"), std::string::npos) << r.out;
}

TEST(Cli, PluginsListsWhatWouldLoad) {
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {json::object{{"name", "fx-b"}}, json::object{{"name", "fx-a"}}});
  auto r = run_ambit({"plugins", "--config", write_config(dir, cfg)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto list = json::parse(r.out).as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name").as_string(), "fx-a");  // dependency order
  EXPECT_EQ(list[1].at("dependencies").at(0).as_string(), "fx-a");
}

TEST(Cli, MigrateAppliesOnceThenNothing) {
  TempDir dir;
  auto file = write_config(dir, e2e_config(dir, sqlite_url(dir), {json::object{{"name", "test-kit"}}}));
  auto first = run_ambit({"migrate", "--config", file});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(json::parse(first.out).at("applied").as_int64(), 6);  // kernel 1-5 + test-kit 1
  auto second = run_ambit({"migrate", "--config", file});
  EXPECT_EQ(json::parse(second.out).at("applied").as_int64(), 0);
}

TEST(Cli, KeyringRotateRewrapsAndKeepsDataReadable) {
  TempDir dir;
  auto file = write_config(dir, e2e_config(dir, sqlite_url(dir)));
  ASSERT_EQ(run_ambit({"migrate", "--config", file}).exit_code, 0);
  auto key_file = dir.path() / "data" / "master.key";
  std::string before = read_file(key_file);
  auto r = run_ambit({"keyring", "rotate", "--config", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  EXPECT_NE(out.at("kid").as_string(), out.at("previous_kid").as_string());
  EXPECT_NE(read_file(key_file), before);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" /
                                      ("master.key.retired-" + std::string(out.at("previous_kid").as_string()))));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "master.key.next"));
  // The server still starts with the rotated key.
  ServerProcess server(file);
  EXPECT_EQ(http(server.port(), "GET", "/readyz").status, 200);
}
