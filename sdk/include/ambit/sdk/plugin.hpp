#pragma once
// A plugin: a shared library `<name>.so` exporting, with C linkage, exactly
// two symbols: the descriptor `ambit_plugin_descriptor_v1` (plain data, read
// before any plugin code runs) and the factory `ambit_plugin_create`.
// Write them with AMBIT_PLUGIN at the end of the plugin's plugin.cpp:
//
//   AMBIT_PLUGIN(HelloPlugin, "hello", "1.0.0", "alpha",
//                "Greets callers.", /* dependencies: */ "auth-apikey")
//
// Lifecycle, driven by the kernel in dependency order:
//   create -> config_schema() -> setup(ctx) [register] -> migrations ->
//   start(ctx) -> ...serving... -> stop(ctx) (reverse order) -> destroy.

#include <boost/json.hpp>

#include <cstdint>

#include "ambit/sdk/context.hpp"
#include "ambit/sdk/version.hpp"

namespace ambit::sdk {
inline namespace v1 {

class Plugin {
 public:
  virtual ~Plugin() = default;
  /// JSON Schema (the subset in docs/plugin-author.md) of this plugin's config
  /// section. Unknown keys are refused unless the schema says otherwise.
  virtual boost::json::value config_schema() const {
    return {{"type", "object"}, {"properties", boost::json::object{}}};
  }
  /// Register routes, scopes, authenticators, migrations, jobs, services.
  virtual void setup(Context& ctx) = 0;
  /// After migrations, before the server accepts connections.
  virtual void start(Context&) {}
  /// After the server drained; release resources.
  virtual void stop(Context&) {}
};

}  // namespace v1
}  // namespace ambit::sdk

extern "C" {
/// The descriptor layout. Fields are only ever appended; `struct_size` tells
/// the kernel how much of it this plugin knew about.
struct ambit_plugin_descriptor {
  std::uint32_t struct_size;
  std::uint32_t sdk_major;
  std::uint32_t sdk_minor;
  std::uint32_t sdk_patch;
  const char* build_signature;       ///< AMBIT_SDK_BUILD_SIGNATURE of the plugin's build
  const char* name;                  ///< must equal the file name without ".so"
  const char* version;               ///< the plugin's own semver
  const char* status;                ///< "stable" | "alpha"
  const char* description;
  const char* const* dependencies;   ///< plugin names, null-terminated
  void* reserved[8];                 ///< zero; room to grow without a major bump
};
typedef ambit::sdk::Plugin* (*ambit_plugin_factory)();
}

#define AMBIT_PLUGIN_DESCRIPTOR_SYMBOL "ambit_plugin_descriptor_v1"
#define AMBIT_PLUGIN_FACTORY_SYMBOL "ambit_plugin_create"

/// Define the descriptor and factory of a plugin class (default-constructible).
#define AMBIT_PLUGIN(CLASS, NAME, VERSION, STATUS, DESCRIPTION, ...)                          \
  namespace {                                                                                 \
  const char* const ambit_plugin_dependencies_[] = {__VA_ARGS__ __VA_OPT__(, ) nullptr};     \
  }                                                                                           \
  extern "C" AMBIT_SDK_EXPORT const ambit_plugin_descriptor ambit_plugin_descriptor_v1 = {   \
      sizeof(ambit_plugin_descriptor), AMBIT_SDK_VERSION_MAJOR, AMBIT_SDK_VERSION_MINOR,      \
      AMBIT_SDK_VERSION_PATCH, AMBIT_SDK_BUILD_SIGNATURE, NAME, VERSION, STATUS, DESCRIPTION, \
      ambit_plugin_dependencies_, {}};                                                        \
  extern "C" AMBIT_SDK_EXPORT ::ambit::sdk::Plugin* ambit_plugin_create() { return new CLASS(); }
