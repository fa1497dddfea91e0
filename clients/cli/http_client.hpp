#pragma once
// One HTTP/1.1 exchange with the server (http or https), with a deadline.
// Throws HttpFailure when the server cannot be reached or answers garbage.

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ambit::cli {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const;
};

struct HttpFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// `base` is the server's URL ("https://api.example.com", maybe with a path
/// prefix); `target` (empty, or starting with "/") is appended to its path,
/// so a whole endpoint URL with an empty target works too.
HttpResponse http_request(const std::string& base, const std::string& method, const std::string& target,
                          const HeaderList& headers = {}, const std::string& body = {},
                          std::chrono::seconds timeout = std::chrono::seconds(60));

/// application/x-www-form-urlencoded text of `fields`.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

/// `text` percent-encoded as one path segment.
std::string encode_path_segment(const std::string& text);

}  // namespace ambit::cli
