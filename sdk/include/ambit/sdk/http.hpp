#pragma once
// Request and Response: the only HTTP types a plugin sees.
//
// They are plain values; the kernel owns sockets, parsing and limits. A
// handler is a function Request -> Response that may throw ApiError.

#include <boost/json.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/principal.hpp"
#include "ambit/sdk/stream.hpp"

namespace ambit::sdk {
inline namespace v1 {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

/// Read-only access to request headers (names are case-insensitive).
class HeaderView {
 public:
  virtual ~HeaderView() = default;
  virtual std::optional<std::string_view> get(std::string_view name) const = 0;
};

/// Thrown by Request::will_block() on an I/O thread; handlers let it pass.
/// Exported, as ApiError is, so the kernel catches what a plugin throws.
class AMBIT_SDK_EXPORT WouldBlock : public std::exception {
 public:
  const char* what() const noexcept override { return "handler needs a worker thread"; }
};

class Request {
 public:
  std::string method;      ///< "GET", "POST", ...
  std::string path;        ///< decoded path without the query
  std::string target;      ///< the raw request target
  std::string route;       ///< the matched template, e.g. /v1/things/:id
  std::string body;
  std::string request_id;
  StringPairs path_params;   ///< from the template's :names
  StringPairs query_params;  ///< decoded, in order
  const HeaderView* headers = nullptr;
  const Principal* principal = nullptr;  ///< null on routes without auth

  std::optional<std::string_view> header(std::string_view name) const {
    return headers ? headers->get(name) : std::nullopt;
  }
  /// A path parameter; the router guarantees every template name is present.
  const std::string& param(std::string_view name) const {
    for (auto& [k, v] : path_params)
      if (k == name) return v;
    throw ApiError(500, "INTERNAL", "missing path parameter");
  }
  std::optional<std::string> query(std::string_view name) const {
    for (auto& [k, v] : query_params)
      if (k == name) return v;
    return std::nullopt;
  }
  /// The body parsed as a JSON object; 400 INVALID_INPUT when it is not one.
  boost::json::object json_object() const {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec) throw ApiError(400, "INVALID_INPUT", "request body is not valid JSON");
    if (!v.is_object()) throw ApiError(400, "INVALID_INPUT", "request body must be a JSON object");
    return std::move(v.as_object());
  }
  /// The principal, which the kernel guarantees on routes with AuthMode::required.
  const Principal& caller() const {
    if (!principal) throw ApiError(401, "unauthenticated", "authentication required");
    return *principal;
  }

  /// true while a may_block = false handler runs on an I/O thread. (SDK 1.1)
  bool on_io_thread = false;
  /// Call before blocking (a cache miss that needs the database) in a handler
  /// registered with may_block = false. On an I/O thread it throws WouldBlock
  /// and the kernel runs the handler again from the start on a worker thread,
  /// where this returns at once. Do nothing observable before calling it.
  void will_block() const {
    if (on_io_thread) throw WouldBlock();
  }

  /// The client's IP address ("203.0.113.9", "2001:db8::7"; IPv4-mapped
  /// IPv6 peers as IPv4): the TCP peer's, unless the peer is one of the
  /// operator's `server.trusted_proxies`. Then it is the rightmost
  /// X-Forwarded-For entry that is not a trusted proxy (entries left of it
  /// may be forged by the client); a malformed entry gives the peer. Without
  /// trusted proxies X-Forwarded-For is never read. For per-address rate
  /// limits and audit. (SDK 1.2)
  std::string remote_address;

  /// Set by the kernel on HTTP requests whose response may stream; null on
  /// Operations::invoke. Use start_stream(). (SDK 1.5)
  StreamStarter* streams = nullptr;
  /// Send `head` now and stream the body (stream.hpp); the Response the
  /// handler returns afterwards is ignored. 500 when this request cannot
  /// stream (a tool call through Operations::invoke).
  std::shared_ptr<ResponseStream> start_stream(const Response& head) const {
    if (!streams) throw ApiError(500, "INTERNAL", "this request cannot stream its response");
    return streams->start(head);
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  StringPairs headers;

  /// A raw JSON body (OAuth, attestation routes).
  static Response json(const boost::json::value& v, int status = 200) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(v);
    return r;
  }
  /// The REST success envelope {"data": v}. Pass a temporary (or std::move)
  /// to avoid copying `v`.
  static Response data(boost::json::value v, int status = 200) {
    boost::json::object o;
    o.emplace("data", std::move(v));
    return json(o, status);
  }
  static Response empty(int status = 204) {
    Response r;
    r.status = status;
    r.content_type.clear();
    return r;
  }
  Response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

/// Wrap `handler` so that an unexpected exception (anything but ApiError and
/// WouldBlock) answers `status` with the endpoint's own error code, e.g. the
/// seeds' "500 UPDATE_FAILED", instead of the kernel's generic 500 INTERNAL.
/// `on_failure` receives the request and the exception to log (never send
/// internal detail to the client). (SDK 1.1)
inline Handler with_failure_code(std::string code, Handler handler,
                                 std::function<void(const Request&, const std::exception&)> on_failure,
                                 int status = 500) {
  return [code = std::move(code), handler = std::move(handler), on_failure = std::move(on_failure),
          status](const Request& req) -> Response {
    try {
      return handler(req);
    } catch (const ApiError&) {
      throw;
    } catch (const WouldBlock&) {
      throw;
    } catch (const std::exception& e) {
      if (on_failure) on_failure(req, e);
      throw ApiError(status, code, "the request failed; nothing was changed");
    }
  };
}

enum class AuthMode {
  none,      ///< no credential is read (ops, OAuth token endpoint, ...)
  optional,  ///< a credential is verified if present
  required,  ///< 401 without a valid credential
};

/// A route a plugin registers. Paths are templates: /v1/projects/:projectId.
struct RouteSpec {
  std::string method;
  std::string path;
  Handler handler;
  AuthMode auth = AuthMode::required;
  std::string scope;  ///< required scope ("resource:action"), empty for none
  /// true: the handler may block (database, I/O) and runs on the worker pool.
  /// false: it only touches memory and runs on the I/O thread (hot paths).
  bool may_block = true;
  // OpenAPI metadata, assembled into GET /openapi.json.
  std::string summary;
  std::string description;
  std::vector<std::string> tags;
  boost::json::value request_schema;   ///< JSON Schema of the body, or null
  boost::json::value response_schema;  ///< JSON Schema of the 2xx body, or null
};

}  // namespace v1
}  // namespace ambit::sdk
