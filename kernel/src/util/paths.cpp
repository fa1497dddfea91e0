#include "util/paths.hpp"

#include <system_error>

namespace ambit::kernel {

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::filesystem::path builtin_plugin_dir() { return (executable_dir() / ".." / "plugins").lexically_normal(); }

}  // namespace ambit::kernel
