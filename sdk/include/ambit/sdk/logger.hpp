#pragma once
// Structured logging: one JSON line per call, fields kept as JSON.
// Never pass a secret (keys, tokens, passwords, plaintext) in a message or field.

#include <boost/json.hpp>

#include <string_view>

namespace ambit::sdk {
inline namespace v1 {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool enabled(LogLevel level) const = 0;
  virtual void log(LogLevel level, std::string_view message, const boost::json::object& fields = {}) = 0;

  void debug(std::string_view m, const boost::json::object& f = {}) { if (enabled(LogLevel::debug)) log(LogLevel::debug, m, f); }
  void info(std::string_view m, const boost::json::object& f = {}) { if (enabled(LogLevel::info)) log(LogLevel::info, m, f); }
  void warn(std::string_view m, const boost::json::object& f = {}) { if (enabled(LogLevel::warn)) log(LogLevel::warn, m, f); }
  void error(std::string_view m, const boost::json::object& f = {}) { log(LogLevel::error, m, f); }
};

}  // namespace v1
}  // namespace ambit::sdk
