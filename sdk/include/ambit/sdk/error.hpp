#pragma once
// ApiError: the one way a handler reports a client-visible failure.
//
// The kernel maps it to the envelope
//   {"error": {"code": ..., "message": ..., "details": {...}}}
// with `status` as the HTTP status. Only `message` and `details` reach the
// client: put internal detail in a log line, never here. Any other exception
// escaping a handler becomes 500 INTERNAL with a generic message.

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

#include "ambit/sdk/version.hpp"

namespace ambit::sdk {
inline namespace v1 {

class AMBIT_SDK_EXPORT ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, boost::json::object details = {})
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  std::string message() const { return what(); }
  const boost::json::object& details() const noexcept { return details_; }

  // The common errors, named once so every plugin spells them alike.
  static ApiError invalid_input(std::string message, std::string field = {}) {
    boost::json::object d;
    if (!field.empty()) d["field"] = field;
    return ApiError(400, "INVALID_INPUT", std::move(message), std::move(d));
  }
  static ApiError not_found(std::string message = "resource not found") {
    return ApiError(404, "NOT_FOUND", std::move(message));
  }
  static ApiError conflict(std::string code, std::string message, boost::json::object details = {}) {
    return ApiError(409, std::move(code), std::move(message), std::move(details));
  }

 private:
  int status_;
  std::string code_;
  boost::json::object details_;
};

}  // namespace v1
}  // namespace ambit::sdk
