#pragma once
// Small helpers shared by the fuzz targets.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ambit/sdk/http.hpp"
#include "ambit/sdk/logger.hpp"

namespace ambit::fuzz {

/// Logs nothing: the targets run millions of inputs.
class NullLogger final : public sdk::Logger {
 public:
  bool enabled(sdk::LogLevel) const override { return false; }
  void log(sdk::LogLevel, std::string_view, const boost::json::object& = {}) override {}
};

/// Request headers from a list (names compared case-insensitively, first wins).
class HeaderList final : public sdk::HeaderView {
 public:
  std::vector<std::pair<std::string, std::string>> fields;
  std::optional<std::string_view> get(std::string_view name) const override {
    for (auto& [k, v] : fields)
      if (iequals(k, name)) return std::string_view(v);
    return std::nullopt;
  }

 private:
  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
  }
};

/// `data` as a string_view.
inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// The input cut at the first `sep`: (before, after); after is empty without one.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view in, char sep) {
  auto at = in.find(sep);
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + 1)};
}

/// A property of the code under test does not hold: report it as a crash so
/// that libFuzzer saves the input.
[[noreturn]] inline void violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property violated: %s [%.*s]\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace ambit::fuzz
