#pragma once
// Finds, pins, opens and checks one plugin file. Nothing of the plugin runs
// before its descriptor passed every check (only its static data is read).

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "config/kernel_config.hpp"

namespace ambit::kernel {

struct PluginDescriptorInfo {
  std::string name, version, status, description, build_signature;
  unsigned sdk_major = 0, sdk_minor = 0, sdk_patch = 0;
  std::vector<std::string> dependencies;
};

struct LoadedLibrary {
  std::string name;
  std::filesystem::path file;
  PluginDescriptorInfo descriptor;
  boost::dll::shared_library library;
};

class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `<dir>/<name>.so` in the first dir that has it.
std::filesystem::path find_plugin_file(const std::string& name, const std::vector<std::filesystem::path>& dirs);

/// Every check of the loading policy; throws PluginLoadError with one
/// sentence naming the plugin, the file and what differs.
LoadedLibrary load_plugin_library(const PluginEntry& entry, const std::vector<std::filesystem::path>& dirs);

/// The policy on its own (unit-testable): empty when compatible.
std::string check_descriptor(const PluginDescriptorInfo& d, const std::string& expected_name,
                             const std::filesystem::path& file);

std::string kernel_build_signature();

}  // namespace ambit::kernel
