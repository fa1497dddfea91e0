#pragma once
// The CLI's exit codes (docs/cli.md) and the error that carries one.

#include <stdexcept>
#include <string>

#include "http_client.hpp"

namespace ambit::cli {

enum ExitCode : int {
  kOk = 0,
  kFailed = 1,     ///< anything else: a server error, no connection, a --wait that failed
  kUsage = 2,      ///< the command line was wrong, or the API said the input was (400, 422)
  kAuth = 3,       ///< not signed in, or the credential was refused (401, 403)
  kNotFound = 4,   ///< 404
  kConflict = 5,   ///< 409, 412
};

/// Ends the command with `code` after printing "error: <message>".
struct CliError : std::runtime_error {
  CliError(int exit_code, const std::string& message) : std::runtime_error(message), code(exit_code) {}
  int code;
};

int exit_code_for_status(int http_status);

/// The API's error envelope as one line ("MESSAGE (CODE) missing scope: S"),
/// as a CliError with the status's exit code.
CliError api_error(const HttpResponse& response);

}  // namespace ambit::cli
