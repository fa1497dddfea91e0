#include "log/json_logger.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace ambit::kernel {

sdk::LogLevel parse_log_level(const std::string& text) {
  if (text == "debug") return sdk::LogLevel::debug;
  if (text == "info") return sdk::LogLevel::info;
  if (text == "warn" || text == "warning") return sdk::LogLevel::warn;
  if (text == "error") return sdk::LogLevel::error;
  throw std::invalid_argument("expected one of debug, info, warn, error");
}

JsonLogger::JsonLogger(std::shared_ptr<spdlog::logger> sink, sdk::LogLevel level, std::string component)
    : sink_(std::move(sink)), level_(level), component_(std::move(component)) {}

std::shared_ptr<JsonLogger> JsonLogger::create_stderr(sdk::LogLevel level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ambit", sink);
  // The timestamp and level come from spdlog; the rest of the object is ours.
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return std::make_shared<JsonLogger>(std::move(logger), level, "kernel");
}

void JsonLogger::log(sdk::LogLevel level, std::string_view message, const boost::json::object& fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line["msg"] = message;
  line["component"] = component_;
  for (auto& [k, v] : fields) line[k] = v;
  std::string text = boost::json::serialize(line);
  // Drop the braces: the pattern supplies them around ts and level.
  std::string_view inner(text.data() + 1, text.size() - 2);
  static constexpr spdlog::level::level_enum map[] = {spdlog::level::debug, spdlog::level::info,
                                                      spdlog::level::warn, spdlog::level::err};
  sink_->log(map[static_cast<int>(level)], "{}", inner);
}

std::shared_ptr<JsonLogger> JsonLogger::for_component(std::string component) const {
  return std::make_shared<JsonLogger>(sink_, level_, std::move(component));
}

void JsonLogger::flush() { sink_->flush(); }

}  // namespace ambit::kernel
