// The deployment config loader: load_config_text (kernel/src/config/
// kernel_config.cpp), i.e. JSON with comments and trailing commas, the kernel
// schema, the conversions into KernelConfig and the AMBIT_* overrides.
//
// Input: the config file's text; after a NUL byte, optional environment
// lines NAME=VALUE (so that the seeds stay plain config files).
//
// Properties checked: a config either loads or reports at least one error,
// never both; a loaded config has at least one I/O thread.
#include <map>

#include "config/kernel_config.hpp"
#include "fuzz_support.hpp"

using ambit::fuzz::violated;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [text, env_text] = ambit::fuzz::split_once(ambit::fuzz::as_view(data, size), '\0');
  std::map<std::string, std::string, std::less<>> env;
  while (!env_text.empty()) {
    auto [line, rest] = ambit::fuzz::split_once(env_text, '\n');
    auto [name, value] = ambit::fuzz::split_once(line, '=');
    env.emplace(std::string(name), std::string(value));
    env_text = rest;
  }
  ambit::kernel::EnvLookup lookup = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(std::string_view(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto result = ambit::kernel::load_config_text(std::string(text), "fuzz.json", lookup);
  if (result.config && !result.errors.empty()) violated("a config both loaded and failed", result.errors.front());
  if (!result.config && result.errors.empty()) violated("a config failed without an error");
  if (result.config && result.config->io_threads < 1) violated("a loaded config has no I/O thread");
  return 0;
}
