#include "plugins/plugin_loader.hpp"

#include <fstream>

#include "ambit/sdk/plugin.hpp"
#include "db/migrator.hpp"

namespace ambit::kernel {
namespace fs = std::filesystem;

std::string kernel_build_signature() { return AMBIT_SDK_BUILD_SIGNATURE; }

fs::path find_plugin_file(const std::string& name, const std::vector<fs::path>& dirs) {
  for (auto& dir : dirs) {
    fs::path candidate = dir / (name + ".so");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

std::string check_descriptor(const PluginDescriptorInfo& d, const std::string& expected_name, const fs::path& file) {
  const std::string who = "plugin \"" + expected_name + "\" (" + file.string() + ")";
  const std::string kernel_sdk = std::to_string(AMBIT_SDK_VERSION_MAJOR) + "." + std::to_string(AMBIT_SDK_VERSION_MINOR);
  const std::string plugin_sdk = std::to_string(d.sdk_major) + "." + std::to_string(d.sdk_minor);
  if (d.sdk_major != AMBIT_SDK_VERSION_MAJOR)
    return who + " was built for SDK " + plugin_sdk + " but this kernel has SDK " + kernel_sdk +
           ": major versions differ; rebuild the plugin against SDK " + kernel_sdk;
  if (d.sdk_minor > AMBIT_SDK_VERSION_MINOR)
    return who + " needs SDK " + plugin_sdk + " but this kernel has SDK " + kernel_sdk +
           ": the plugin is newer than the kernel; upgrade the kernel";
  if (d.build_signature != kernel_build_signature())
    return who + " is not binary compatible: built with \"" + d.build_signature + "\", this kernel with \"" +
           kernel_build_signature() + "\"";
  if (d.name != expected_name)
    return who + " declares the name \"" + d.name + "\"; the file name and the descriptor must agree";
  return {};
}

namespace {

std::string file_sha256(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return sha256_hex(data);
}

std::string safe(const char* s) { return s ? std::string(s) : std::string(); }

}  // namespace

LoadedLibrary load_plugin_library(const PluginEntry& entry, const std::vector<fs::path>& dirs) {
  LoadedLibrary out;
  out.name = entry.name;
  out.file = find_plugin_file(entry.name, dirs);
  if (out.file.empty()) {
    std::string searched;
    for (auto& d : dirs) searched += (searched.empty() ? "" : ", ") + d.string();
    throw PluginLoadError(entry.path + ".name: unknown plugin \"" + entry.name + "\": no " + entry.name +
                          ".so in plugin_dirs (" + searched + ")");
  }
  const std::string who = "plugin \"" + entry.name + "\" (" + out.file.string() + ")";
  if (!entry.sha256.empty()) {
    std::string actual = file_sha256(out.file);
    if (actual != entry.sha256)
      throw PluginLoadError(entry.path + ".sha256: " + who + " has SHA-256 " + actual + ", the config pins " +
                            entry.sha256 + "; refusing a file that was not audited");
  }
  try {
    out.library.load(out.file, boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now);
  } catch (const std::exception& e) {
    throw PluginLoadError(who + " is not a loadable shared library: " + e.what());
  }
  if (!out.library.has(AMBIT_PLUGIN_DESCRIPTOR_SYMBOL))
    throw PluginLoadError(who + " has no descriptor (symbol " AMBIT_PLUGIN_DESCRIPTOR_SYMBOL
                          "): not an ambit plugin, or built without AMBIT_PLUGIN");
  const auto& raw = out.library.get<const ambit_plugin_descriptor>(AMBIT_PLUGIN_DESCRIPTOR_SYMBOL);
  if (raw.struct_size < offsetof(ambit_plugin_descriptor, reserved))
    throw PluginLoadError(who + " has a truncated descriptor (" + std::to_string(raw.struct_size) + " bytes)");
  auto& d = out.descriptor;
  d.sdk_major = raw.sdk_major;
  d.sdk_minor = raw.sdk_minor;
  d.sdk_patch = raw.sdk_patch;
  // Version fields first: a foreign major may lay out the rest differently.
  if (d.sdk_major == AMBIT_SDK_VERSION_MAJOR) {
    d.build_signature = safe(raw.build_signature);
    d.name = safe(raw.name);
    d.version = safe(raw.version);
    d.status = safe(raw.status);
    d.description = safe(raw.description);
    for (auto p = raw.dependencies; p && *p; ++p) d.dependencies.emplace_back(*p);
  }
  if (auto problem = check_descriptor(d, entry.name, out.file); !problem.empty()) throw PluginLoadError(problem);
  if (!out.library.has(AMBIT_PLUGIN_FACTORY_SYMBOL))
    throw PluginLoadError(who + " has no factory (symbol " AMBIT_PLUGIN_FACTORY_SYMBOL ")");
  if (d.status != "stable" && d.status != "alpha")
    throw PluginLoadError(who + " declares status \"" + d.status + "\"; expected stable or alpha");
  return out;
}

}  // namespace ambit::kernel
