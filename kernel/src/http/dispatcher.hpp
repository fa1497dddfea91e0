#pragma once
// The request pipeline, independent of sockets: request id, routing, the
// authentication chain, scope enforcement, the handler, the error envelope,
// metrics and the access log. Blocking routes run on the worker pool so a
// slow database never stalls the I/O threads.

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/http.hpp"
#include "ambit/sdk/logger.hpp"
#include "audit/audit_log.hpp"
#include "http/cookie_credentials.hpp"
#include "http/router.hpp"

namespace ambit::kernel {

struct InboundRequest {
  std::string method;
  std::string target;
  std::string body;
  const sdk::HeaderView* headers = nullptr;  ///< valid until the reply is sent
  std::string remote_address;                ///< the client's IP (server.trusted_proxies)
  sdk::StreamStarter* streams = nullptr;     ///< when the connection can stream the reply (valid until it is sent)
};

using Reply = std::function<void(sdk::Response)>;

/// The error envelope {"error": {"code", "message", "details"}}.
sdk::Response error_response(int status, const std::string& code, const std::string& message,
                             const boost::json::object& details = {});

class Dispatcher {
 public:
  /// `audit` (nullable) receives one record per request with an audited principal.
  /// `public_url` (kept by reference: it is known once the server listens)
  /// builds the RFC 9728 pointer of a protected resource (see unauthenticated).
  Dispatcher(const Router& router, const std::vector<std::shared_ptr<sdk::Authenticator>>& authenticators,
             sdk::Logger& log, int worker_threads, bool access_log, AuditLog* audit,
             const std::string& public_url, const CookieCredentials* cookies = nullptr);
  ~Dispatcher();

  /// Calls `reply` exactly once, on an I/O thread or a worker thread.
  void dispatch(InboundRequest request, Reply reply);
  /// Wait for queued handlers to finish (shutdown).
  void join_workers();
  /// A tool call (sdk::Operations::invoke): `req` built from the arguments,
  /// run as `caller` through what an HTTP request runs after authentication
  /// (scope, validation, handler, audit, metrics), on the calling thread.
  /// `tool`: the name the client called it by, for the audit row. A tool
  /// call made while this thread serves an HTTP request of the same
  /// credential is that request's audit row: the request writes none.
  sdk::Response invoke(const RouteEntry& route, sdk::Request req, sdk::Principal caller, std::string_view tool = {});
  RouteMetrics& unmatched_metrics() { return unmatched_; }
  int busy_workers() const { return busy_.load(std::memory_order_relaxed); }

 private:
  struct Pending;
  /// On the I/O thread (`inline_only`), hands over to a worker when
  /// authentication would need I/O.
  void run(std::shared_ptr<Pending> p, bool inline_only);
  /// Scope check, input validation and the handler; every failure becomes
  /// its error response, except WouldBlock on the I/O thread, which escapes.
  /// `audit_delegated` is set when the handler made a tool call that
  /// stands for this request in the audit log.
  sdk::Response serve(const RouteEntry& route, sdk::Request& req, const sdk::Principal* principal, bool inline_only,
                      bool& audit_delegated);
  /// Records the request and replies (in audit.mode strict, once its
  /// audit row is committed). `route`: null when no route matched.
  void finish(Pending& p, sdk::Response response, const RouteEntry* route);
  /// Metrics, the access log line and the audit row of a finished request.
  void record(const sdk::Request& req, sdk::Principal* principal, sdk::Response& response, const RouteEntry* route,
              std::chrono::steady_clock::time_point started, bool audit = true, std::string_view tool = {},
              AuditCommitted on_commit = {});
  /// Before an audited request runs: is there room in the audit log
  /// (audit.on_overflow)? Blocking waits happen on a worker.
  enum class Admission { admitted, hand_over, rejected };
  Admission admit(const Pending& p, bool inline_only);
  enum class AuthStep { ok, denied, would_block };
  AuthStep authenticate(Pending& p, const RouteEntry& route, bool inline_only, sdk::Response& denial);
  /// The 401 of the authentication chain. For a path whose RFC 9728
  /// metadata is served (GET /.well-known/oauth-protected-resource<path>),
  /// WWW-Authenticate points to it, as the MCP authorization spec requires.
  sdk::Response unauthenticated(const sdk::Request& req, const std::string& reason, const std::string& message) const;

  const Router& router_;
  const std::vector<std::shared_ptr<sdk::Authenticator>>& authenticators_;
  sdk::Logger& log_;
  bool access_log_;
  AuditLog* audit_;
  const std::string& public_url_;
  const CookieCredentials* cookies_;  ///< null: no browser session cookies are read
  std::set<std::string, std::less<>> protected_resources_;  ///< paths with RFC 9728 metadata routes
  boost::asio::thread_pool workers_;
  std::atomic<int> busy_{0};
  RouteMetrics unmatched_;
};

}  // namespace ambit::kernel
