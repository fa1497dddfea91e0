#pragma once
#include <filesystem>

namespace ambit::kernel {
/// The directory of the running executable.
std::filesystem::path executable_dir();
/// Where the build puts first-party plugins: <exe dir>/../plugins.
std::filesystem::path builtin_plugin_dir();
}  // namespace ambit::kernel
