// A JSON body as the kernel reads one (Boost.JSON, strict, like
// sdk::Request::json_object) validated by kernel/src/config/json_schema.cpp
// against real schemas: the kernel config's and two plugins' config sections.
// The input is also checked and applied as a schema itself, since plugins
// hand the validator their own schemas.
//
// Properties checked: a value the validator accepts has every default filled
// in, so the plugin's parse_config reads it without throwing; validating the
// validator's own output again reports nothing.
#include <exception>

#include "auth-oauth/config.hpp"
#include "config/json_schema.hpp"
#include "config/kernel_config.hpp"
#include "fuzz_support.hpp"
#include "remote-config/config.hpp"

namespace json = boost::json;
using ambit::fuzz::violated;

namespace {

struct Schemas {
  json::value kernel = ambit::kernel::kernel_config_schema();
  json::value remote_config = remote_config::config_schema();
  json::value oauth = oauth::config_schema();
};

const Schemas& schemas() {
  static const Schemas s;
  return s;
}

/// Validate, then validate the result again: the second pass must agree.
json::value validate(const json::value& schema, const json::value& input, bool& ok) {
  std::vector<std::string> errors;
  json::value out = ambit::kernel::apply_schema(schema, input, "", errors);
  ok = errors.empty();
  if (ok) {
    std::vector<std::string> again;
    ambit::kernel::apply_schema(schema, out, "", again);
    if (!again.empty()) violated("the validator's output does not validate", again.front());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  json::value input = json::parse(ambit::fuzz::as_view(data, size), ec);
  if (ec) return 0;
  const Schemas& s = schemas();
  bool ok = false;
  validate(s.kernel, input, ok);

  json::value section = validate(s.remote_config, input, ok);
  if (ok) {
    try {
      remote_config::parse_config(section.as_object());
    } catch (const std::exception& e) {
      violated("remote-config's parse_config threw on a validated section", e.what());
    }
  }
  section = validate(s.oauth, input, ok);
  if (ok) {
    try {
      oauth::parse_config(section.as_object());
    } catch (const std::exception& e) {
      violated("auth-oauth's parse_config threw on a validated section", e.what());
    }
  }

  // The input as a schema: checking it, and applying it, must not crash.
  std::vector<std::string> errors;
  ambit::kernel::check_schema(input, "", errors);
  if (errors.empty()) {
    ambit::kernel::apply_schema(input, json::object{{"name", "x"}, {"n", 3}, {"list", json::array{1, "a", nullptr}}},
                                "", errors);
    ambit::kernel::apply_schema(input, input, "", errors);
  }
  return 0;
}
