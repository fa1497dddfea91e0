#pragma once
// The kernel's structured logger: one JSON object per line on stderr.

#include <memory>
#include <string>

#include "ambit/sdk/logger.hpp"

namespace spdlog { class logger; }

namespace ambit::kernel {

sdk::LogLevel parse_log_level(const std::string& text);  // throws std::invalid_argument

class JsonLogger final : public sdk::Logger {
 public:
  /// `component` is added to every line ("kernel" or a plugin's name).
  JsonLogger(std::shared_ptr<spdlog::logger> sink, sdk::LogLevel level, std::string component);
  static std::shared_ptr<JsonLogger> create_stderr(sdk::LogLevel level);

  bool enabled(sdk::LogLevel level) const override { return level >= level_; }
  void log(sdk::LogLevel level, std::string_view message, const boost::json::object& fields = {}) override;

  /// A logger for a plugin: same sink and level, another component name.
  std::shared_ptr<JsonLogger> for_component(std::string component) const;
  void flush();

 private:
  std::shared_ptr<spdlog::logger> sink_;
  sdk::LogLevel level_;
  std::string component_;
};

}  // namespace ambit::kernel
