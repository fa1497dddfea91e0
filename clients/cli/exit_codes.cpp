#include "exit_codes.hpp"

#include <boost/json.hpp>

#include "json_text.hpp"

namespace json = boost::json;

namespace ambit::cli {

int exit_code_for_status(int http_status) {
  switch (http_status) {
    case 400:
    case 422:
      return kUsage;
    case 401:
    case 403:
      return kAuth;
    case 404:
      return kNotFound;
    case 409:
    case 412:
      return kConflict;
    default:
      return kFailed;
  }
}

CliError api_error(const HttpResponse& response) {
  std::string line = "HTTP " + std::to_string(response.status);
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  const json::object* error = nullptr;
  if (!ec && body.is_object())
    if (auto* e = body.as_object().if_contains("error"); e && e->is_object()) error = &e->as_object();
  if (error) {
    std::string code = text_of(*error, "code"), message = text_of(*error, "message");
    line = message.empty() ? code : message + (code.empty() ? "" : " (" + code + ")");
    if (auto* d = error->if_contains("details"); d && d->is_object()) {
      if (auto scope = text_of(d->as_object(), "missing_scope"); !scope.empty()) line += " missing scope: " + scope;
    }
  } else if (!body.is_null() && !ec) {
    line += ": " + json::serialize(body);
  } else if (!response.body.empty() && response.body.size() < 200) {
    line += ": " + response.body;
  }
  return CliError(exit_code_for_status(response.status), line);
}

}  // namespace ambit::cli
