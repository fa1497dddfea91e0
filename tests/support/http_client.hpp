#pragma once
// A small blocking HTTP/1.1 client for tests (one connection per call unless
// a Connection is kept), plus raw socket helpers for malformed traffic.

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ambit::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  boost::json::value json() const;
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

HttpResult http(std::uint16_t port, const std::string& method, const std::string& target, const Headers& headers = {},
                const std::string& body = {});

/// A kept-alive connection.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpResult request(const std::string& method, const std::string& target, const Headers& headers = {},
                     const std::string& body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A blocking TCP connection to 127.0.0.1:port; -1 when refused. Close it with ::close.
int connect_loopback(std::uint16_t port);

/// Sends all of `bytes`, or as much as the peer took before closing; returns how much.
std::size_t send_all(int fd, std::string_view bytes);

/// Send raw bytes, then read until the server closes or `timeout` passes.
/// Returns what was read; `closed` tells whether the server closed.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout,
                         bool* closed = nullptr);

/// Connect and send nothing; returns how long until the server closed the
/// connection (or `limit` if it did not).
std::chrono::milliseconds time_until_closed(std::uint16_t port, std::chrono::milliseconds limit);

}  // namespace ambit::test
