#include "plugins/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "ambit/sdk/version.hpp"
#include "db/migrator.hpp"
#include "plugins/plugin_host.hpp"
#include "test_env.hpp"

using namespace ambit;

namespace {

kernel::PluginEntry entry(const std::string& name, const std::string& sha = {}) {
  return kernel::PluginEntry{name, sha, {}, "plugins[0]"};
}

std::string refusal(const kernel::PluginEntry& e, std::vector<std::filesystem::path> dirs = {test::fixture_plugin_dir()}) {
  try {
    kernel::load_plugin_library(e, dirs);
  } catch (const kernel::PluginLoadError& err) {
    return err.what();
  }
  return "(loaded)";
}

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "\"" << text << "\" lacks \"" << part << "\"";
}

}  // namespace

TEST(PluginLoader, LoadsAGoodPluginAndReadsItsDescriptor) {
  auto lib = kernel::load_plugin_library(entry("fx-b"), {"/nonexistent", test::fixture_plugin_dir()});
  EXPECT_EQ(lib.descriptor.name, "fx-b");
  EXPECT_EQ(lib.descriptor.version, "0.1.0");
  EXPECT_EQ(lib.descriptor.dependencies, std::vector<std::string>{"fx-a"});
  EXPECT_EQ(lib.descriptor.sdk_major, static_cast<unsigned>(AMBIT_SDK_VERSION_MAJOR));
}

TEST(PluginLoader, RefusesAnUnknownName) {
  auto msg = refusal(entry("no-such-plugin"));
  expect_contains(msg, "plugins[0].name: unknown plugin \"no-such-plugin\": no no-such-plugin.so in plugin_dirs");
}

TEST(PluginLoader, RefusesAMajorMismatchNamingBothVersions) {
  auto msg = refusal(entry("fx-major"));
  expect_contains(msg, "plugin \"fx-major\" (" + (test::fixture_plugin_dir() / "fx-major.so").string() + ")");
  expect_contains(msg, "was built for SDK 2.0 but this kernel has SDK " + test::kernel_sdk_version() +
                           ": major versions differ");
}

TEST(PluginLoader, RefusesAPluginNeedingANewerMinor) {
  auto msg = refusal(entry("fx-minor"));
  expect_contains(msg, "plugin \"fx-minor\"");
  expect_contains(msg, "needs SDK 1.99 but this kernel has SDK " + test::kernel_sdk_version() +
                           ": the plugin is newer than the kernel");
}

TEST(PluginLoader, RefusesADifferentToolchain) {
  auto msg = refusal(entry("fx-abi"));
  expect_contains(msg, "is not binary compatible: built with \"gcc-1 libstdc++-abi0 boost-100000 soci-100\"");
  expect_contains(msg, kernel::kernel_build_signature());
}

TEST(PluginLoader, RefusesAFileWithoutDescriptor) {
  expect_contains(refusal(entry("fx-no-descriptor")), "has no descriptor (symbol ambit_plugin_descriptor_v1)");
}

TEST(PluginLoader, RefusesSomethingThatIsNotASharedLibrary) {
  test::TempDir dir;
  std::ofstream(dir.path() / "fake.so") << "#!/bin/sh\necho not a library\n";
  expect_contains(refusal(entry("fake"), {dir.path()}), "is not a loadable shared library");
}

TEST(PluginLoader, RefusesADescriptorNamingAnotherPlugin) {
  expect_contains(refusal(entry("fx-wrong-name")), "declares the name \"someone-else\"");
}

TEST(PluginLoader, Sha256PinRefusesAnUnauditedFile) {
  auto path = test::fixture_plugin_dir() / "fx-a.so";
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string actual = kernel::sha256_hex(data);
  EXPECT_EQ(refusal(entry("fx-a", actual)), "(loaded)");
  auto msg = refusal(entry("fx-a", std::string(64, '0')));
  expect_contains(msg, "plugins[0].sha256: plugin \"fx-a\"");
  expect_contains(msg, "has SHA-256 " + actual + ", the config pins " + std::string(64, '0'));
}

namespace {
std::vector<std::string> host_problems(const std::vector<std::string>& names, kernel::Registry& registry,
                                       kernel::PluginHost& host) {
  kernel::KernelConfig cfg;
  cfg.plugin_dirs = {test::fixture_plugin_dir()};
  for (std::size_t i = 0; i < names.size(); ++i)
    cfg.plugins.push_back({names[i], "", {}, "plugins[" + std::to_string(i) + "]"});
  std::vector<std::string> problems;
  host.load(cfg, problems);
  host.order(problems);
  kernel::KernelServices services;
  host.setup(registry, services, kernel::JsonLogger::create_stderr(sdk::LogLevel::error), problems);
  return problems;
}
}  // namespace

TEST(PluginHost, OrdersByDependenciesWhateverTheConfigOrder) {
  kernel::PluginHost host;  // declared first: destroyed after the routes it owns the code of
  kernel::Registry registry;
  auto problems = host_problems({"fx-c", "fx-b", "fx-a"}, registry, host);
  ASSERT_TRUE(problems.empty()) << problems.front();
  std::vector<std::string> order;
  for (auto& p : host.plugins()) order.push_back(p->library.name);
  EXPECT_EQ(order, (std::vector<std::string>{"fx-a", "fx-b", "fx-c"}));
}

TEST(PluginHost, ReportsMissingDependencyCycleAndDuplicateRoute) {
  kernel::PluginHost host;
  kernel::Registry registry;
  auto problems = host_problems({"fx-missing-dep", "fx-cycle1", "fx-cycle2", "fx-a", "fx-dup-route"}, registry, host);
  std::string all;
  for (auto& p : problems) all += p + "\n";
  expect_contains(all, "plugins[0]: plugin \"fx-missing-dep\" depends on \"fx-nowhere\", which is not in plugins");
  expect_contains(all, "plugin dependency cycle: fx-cycle1 -> fx-cycle2 -> fx-cycle1");
  expect_contains(all, "plugin \"fx-dup-route\" setup failed: duplicate route GET /fixture/fx-a (registered by "
                       "fx-dup-route, already registered by fx-a)");
}

TEST(PluginHost, ValidatesEachPluginsConfigSection) {
  kernel::KernelConfig cfg;
  cfg.plugin_dirs = {test::fixture_plugin_dir()};
  cfg.plugins.push_back({"fx-a", "", boost::json::object{{"answer", "many"}, {"colour", 1}}, "plugins[3]"});
  std::vector<std::string> problems;
  kernel::PluginHost host;
  host.load(cfg, problems);
  EXPECT_EQ(problems, (std::vector<std::string>{"plugins[3].config.answer: expected integer",
                                                "plugins[3].config.colour: unknown key"}));
}
