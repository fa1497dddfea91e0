#include "http/dispatcher.hpp"

#include <boost/asio/post.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <optional>
#include <utility>

#include "http/cross_origin.hpp"
#include "identity/token_authentication.hpp"
#include "operations/operation_input.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {

/// The connection's stream starter, adding the request id to the head: a
/// streamed head goes out before record() would add it to the answer.
struct RequestIdStarter final : sdk::StreamStarter {
  sdk::StreamStarter* connection = nullptr;
  const std::string* request_id = nullptr;
  bool cross_origin = false;  ///< the route's (cross_origin.hpp)
  std::shared_ptr<sdk::ResponseStream> start(const sdk::Response& head) override {
    sdk::Response tagged = head;
    tagged.headers.emplace_back("X-Request-Id", *request_id);
    if (cross_origin) add_cross_origin_headers(tagged.headers);
    return connection->start(tagged);
  }
};

struct Dispatcher::Pending {
  RequestIdStarter streams;
  sdk::Request request;
  sdk::Principal principal;
  const RouteEntry* route = nullptr;
  bool audit_delegated = false;
  bool audit_rejected = false;  ///< answered 503: the audit log had no room
  Reply reply;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

namespace {

/// The HTTP request this thread is serving a handler of, so that a tool
/// call the handler makes for the same credential can stand for it in the
/// audit log (Dispatcher::invoke).
struct Serving {
  const sdk::Request* request;
  const sdk::Principal* principal;
  bool* audit_delegated;
  bool inline_only;  ///< on an I/O thread: a tool call that would block hands the request over too
};
thread_local Serving* t_serving = nullptr;

const std::string kUnmatched = "(unmatched)";  ///< the route label of a request no route matched

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

bool audited(const sdk::Principal* principal) {
  return principal && principal->audited && !principal->tenant_id.empty();
}

sdk::Response audit_unavailable(const std::string& message) {
  return error_response(503, "AUDIT_UNAVAILABLE", message, {{"retry_after", 1}}).with_header("Retry-After", "1");
}

sdk::Response api_error_response(const sdk::ApiError& e) {
  auto response = error_response(e.status(), e.code(), e.message(), e.details());
  // 429 and 503 say when to come back (details.retry_after, in seconds).
  if (auto* after = e.details().if_contains("retry_after")) response.with_header("Retry-After", boost::json::serialize(*after));
  return response;
}

}  // namespace

sdk::Response error_response(int status, const std::string& code, const std::string& message,
                             const boost::json::object& details) {
  boost::json::object err{{"code", code}, {"message", message}, {"details", details}};
  return sdk::Response::json(boost::json::object{{"error", std::move(err)}}, status);
}

Dispatcher::Dispatcher(const Router& router, const std::vector<std::shared_ptr<sdk::Authenticator>>& authenticators,
                       sdk::Logger& log, int worker_threads, bool access_log, AuditLog* audit,
                       const std::string& public_url, const CookieCredentials* cookies)
    : router_(router),
      authenticators_(authenticators),
      log_(log),
      access_log_(access_log),
      audit_(audit),
      public_url_(public_url),
      cookies_(cookies),
      workers_(static_cast<std::size_t>(worker_threads)) {
  constexpr std::string_view kWellKnown = "/.well-known/oauth-protected-resource";
  for (auto& route : router_.routes())
    if (route->spec.method == "GET" && route->spec.path.size() > kWellKnown.size() &&
        route->spec.path.compare(0, kWellKnown.size(), kWellKnown) == 0 && route->spec.path[kWellKnown.size()] == '/')
      protected_resources_.insert(route->spec.path.substr(kWellKnown.size()));
}

sdk::Response Dispatcher::unauthenticated(const sdk::Request& req, const std::string& reason,
                                          const std::string& message) const {
  std::string challenge = "Bearer";
  if (protected_resources_.contains(req.path)) {
    if (reason != "missing") challenge += " error=\"invalid_token\",";
    challenge += " resource_metadata=\"" + public_url_ + "/.well-known/oauth-protected-resource" + req.path + "\"";
  }
  return error_response(401, "unauthenticated", message, {{"reason", reason}}).with_header("WWW-Authenticate", challenge);
}

Dispatcher::~Dispatcher() { join_workers(); }

void Dispatcher::join_workers() { workers_.join(); }

void Dispatcher::dispatch(InboundRequest in, Reply reply) {
  auto p = std::make_shared<Pending>();
  p->reply = std::move(reply);
  sdk::Request& req = p->request;
  req.method = std::move(in.method);
  req.target = std::move(in.target);
  req.body = std::move(in.body);
  req.headers = in.headers;
  req.remote_address = std::move(in.remote_address);
  auto given_id = req.header("X-Request-Id");
  req.request_id = given_id && valid_request_id(*given_id) ? std::string(*given_id) : new_request_id();
  if (in.streams) {
    p->streams.connection = in.streams;
    p->streams.request_id = &req.request_id;
    req.streams = &p->streams;
  }

  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) {
    finish(*p, error_response(400, "BAD_REQUEST", "malformed request target"), nullptr);
    return;
  }
  std::vector<std::string> segments;
  try {
    segments.reserve(url->segments().size());
    req.query_params.reserve(url->params().size());
    req.path = url->path();
    for (auto seg : url->segments()) segments.emplace_back(seg);
    for (auto param : url->params()) req.query_params.emplace_back(param.key, param.value);
  } catch (const std::exception&) {
    finish(*p, error_response(400, "BAD_REQUEST", "malformed request target"), nullptr);
    return;
  }
  auto match = router_.match(req.method, segments);
  if (match.outcome == Router::Outcome::not_found) {
    finish(*p, error_response(404, "NOT_FOUND", "no route for " + req.path), nullptr);
    return;
  }
  if (match.outcome == Router::Outcome::method_not_allowed) {
    if (req.method == "OPTIONS" && match.cross_origin) {
      finish(*p, cross_origin_preflight(match.allow), nullptr);
      return;
    }
    auto r = error_response(405, "METHOD_NOT_ALLOWED", "method " + req.method + " is not allowed here",
                            {{"allow", match.allow}});
    r.headers.emplace_back("Allow", match.allow);
    finish(*p, std::move(r), nullptr);
    return;
  }
  p->route = match.route;
  p->streams.cross_origin = match.route->cross_origin;
  req.route = match.route->spec.path;
  req.path_params = std::move(match.params);
  if (match.route->spec.may_block) {
    boost::asio::post(workers_, [this, p]() mutable { run(std::move(p), false); });
  } else {
    run(std::move(p), true);
  }
}

Dispatcher::AuthStep Dispatcher::authenticate(Pending& p, const RouteEntry& route, bool inline_only,
                                              sdk::Response& denial) {
  const auto mode = route.spec.auth;
  if (mode == sdk::AuthMode::none) return AuthStep::ok;
  const sdk::PresentedCredential credential = sdk::presented_credential(p.request);
  if (credential.malformed) {
    denial = unauthenticated(p.request, "malformed", "Authorization must be \"Bearer <credential>\"");
    return AuthStep::denied;
  }
  std::string_view token = credential.token;
  if (cookies_ && credential.present && cookies_->cookie_only(token)) {
    denial = unauthenticated(p.request, "cookie_only", "this credential is accepted only in its browser session cookie");
    return AuthStep::denied;
  }
  if (cookies_ && !credential.present) {
    if (auto cookie = cookies_->presented(p.request, public_url_)) {
      if (!cookie->refusal.empty()) {
        denial = error_response(403, "CSRF_REJECTED",
                                cookie->refusal == "origin"
                                    ? "a session cookie is accepted only from this server's own pages"
                                    : "an unsafe request with a session cookie needs its X-CSRF-Token",
                                {{"reason", cookie->refusal}});
        return AuthStep::denied;
      }
      token = cookie->token;
    }
  }
  if (token.empty()) {
    if (mode == sdk::AuthMode::optional) return AuthStep::ok;
    denial = unauthenticated(p.request, "missing", "a credential is required (Authorization: Bearer ... or X-API-Key)");
    return AuthStep::denied;
  }
  std::optional<sdk::AuthResult> result = authenticate_token(authenticators_, token, inline_only);
  if (!result) return AuthStep::would_block;
  if (!result->principal) {
    denial = unauthenticated(p.request, result->reason, "the credential is " + result->reason);
    return AuthStep::denied;
  }
  p.principal = std::move(*result->principal);
  p.request.principal = &p.principal;
  return AuthStep::ok;
}

void Dispatcher::run(std::shared_ptr<Pending> p, bool inline_only) {
  const RouteEntry& route = *p->route;
  busy_.fetch_add(1, std::memory_order_relaxed);
  sdk::Response response;
  bool hand_over = false;
  try {
    AuthStep step = authenticate(*p, route, inline_only, response);
    if (step == AuthStep::would_block) {
      hand_over = true;
    } else if (step == AuthStep::ok) {
      switch (admit(*p, inline_only)) {
        case Admission::admitted:
          response = serve(route, p->request, p->request.principal ? &p->principal : nullptr, inline_only,
                           p->audit_delegated);
          break;
        case Admission::hand_over:
          hand_over = true;
          break;
        case Admission::rejected:
          p->audit_rejected = true;
          response = audit_unavailable("the audit log cannot take more rows now (audit.on_overflow); retry later");
          break;
      }
    }  // else: response holds the 401
  } catch (const sdk::WouldBlock&) {  // the handler met a cache miss: run it again where it may block
    hand_over = true;
  } catch (const sdk::ApiError& e) {  // from an authenticator (503 while the database is away)
    response = api_error_response(e);
  } catch (const std::exception& e) {
    log_.error("authentication failed", {{"request_id", p->request.request_id}, {"error", e.what()}});
    response = error_response(500, "INTERNAL", "internal error; see the server log for request " +
                                                   p->request.request_id);
  }
  busy_.fetch_sub(1, std::memory_order_relaxed);
  if (hand_over) {
    boost::asio::post(workers_, [this, p]() mutable { run(std::move(p), false); });
    return;
  }
  finish(*p, std::move(response), &route);
}

Dispatcher::Admission Dispatcher::admit(const Pending& p, bool inline_only) {
  if (!audit_ || !audited(p.request.principal) || audit_->has_room()) return Admission::admitted;
  switch (audit_->on_overflow()) {
    case AuditConfig::Overflow::drop:
      return Admission::admitted;
    case AuditConfig::Overflow::block:
      if (inline_only) return Admission::hand_over;  // wait on a worker, never on an I/O thread
      if (audit_->wait_for_room()) return Admission::admitted;
      break;
    case AuditConfig::Overflow::fail:
      break;
  }
  audit_->note_rejected();
  return Admission::rejected;
}

sdk::Response Dispatcher::serve(const RouteEntry& route, sdk::Request& req, const sdk::Principal* principal,
                                bool inline_only, bool& audit_delegated) {
  audit_delegated = false;  // a request run again on a worker starts over
  Serving serving{&req, principal, &audit_delegated, inline_only};
  Serving* outer = std::exchange(t_serving, &serving);
  struct Restore {
    Serving* outer;
    ~Restore() { t_serving = outer; }
  } restore{outer};
  try {
    if (!route.spec.scope.empty() && !(principal && principal->has_scope(route.spec.scope)))
      return error_response(403, "forbidden", "this call needs the scope " + route.spec.scope,
                            {{"missing_scope", route.spec.scope}});
    if (route.operation && !route.operation->decl.handler_validates) check_input(*route.operation, req);
    req.on_io_thread = inline_only;
    return route.spec.handler(req);
  } catch (const sdk::WouldBlock&) {
    if (inline_only) throw;
    log_.error("handler threw WouldBlock on a worker thread", {{"request_id", req.request_id}});
    return error_response(500, "INTERNAL", "internal error");
  } catch (const sdk::ApiError& e) {
    return api_error_response(e);
  } catch (const std::exception& e) {
    log_.error("handler failed", {{"request_id", req.request_id}, {"route", route.spec.path},
                                  {"plugin", route.owner}, {"error", e.what()}});
    return error_response(500, "INTERNAL", "internal error; see the server log for request " + req.request_id);
  } catch (...) {
    log_.error("handler threw a non-standard exception", {{"request_id", req.request_id}});
    return error_response(500, "INTERNAL", "internal error");
  }
}

sdk::Response Dispatcher::invoke(const RouteEntry& route, sdk::Request req, sdk::Principal caller,
                                 std::string_view tool) {
  auto started = std::chrono::steady_clock::now();
  // Called by a handler on an I/O thread: the operation runs there too, and
  // whatever would block (a blocking route, a cache miss) hands the whole
  // request over to a worker, as for the handler's own will_block().
  const bool inline_only = t_serving && t_serving->inline_only;
  if (inline_only && route.spec.may_block) throw sdk::WouldBlock();
  if (!tool.empty() && t_serving && t_serving->principal &&
      t_serving->principal->credential_id == caller.credential_id && t_serving->principal->tenant_id == caller.tenant_id)
    *t_serving->audit_delegated = true;
  req.request_id = new_request_id();
  req.principal = &caller;
  if (req.remote_address.empty() && t_serving) req.remote_address = t_serving->request->remote_address;
  bool nested_delegated = false;
  sdk::Response response = serve(route, req, &caller, inline_only, nested_delegated);
  record(req, &caller, response, &route, started, !nested_delegated, tool);
  return response;
}

void Dispatcher::finish(Pending& p, sdk::Response response, const RouteEntry* route) {
  if (route && route->cross_origin) add_cross_origin_headers(response.headers);
  sdk::Principal* principal = p.request.principal ? &p.principal : nullptr;
  const bool write_row = !p.audit_delegated && !p.audit_rejected;
  if (!audit_ || !audit_->strict() || p.audit_rejected || !audited(principal)) {
    record(p.request, principal, response, route, p.started, write_row);
    p.reply(std::move(response));
    return;
  }
  // audit.mode strict: the answer waits for the commit of the request's row
  // (or of the tool call's row that stands for it).
  struct Held {
    sdk::Response response;
    Reply reply;
    std::string request_id;
  };
  auto held = std::make_shared<Held>(Held{std::move(response), std::move(p.reply), p.request.request_id});
  AuditCommitted answer = [held](bool committed) {
    if (committed) return held->reply(std::move(held->response));
    held->reply(audit_unavailable("the audit row of this request could not be committed (audit.mode strict); "
                                  "its effect may have been applied: check before retrying")
                    .with_header("X-Request-Id", held->request_id));
  };
  if (write_row) {
    record(p.request, principal, held->response, route, p.started, true, {}, std::move(answer));
  } else {
    record(p.request, principal, held->response, route, p.started, false);
    audit_->after_queued(std::move(answer));
  }
}

void Dispatcher::record(const sdk::Request& req, sdk::Principal* principal, sdk::Response& response,
                        const RouteEntry* route, std::chrono::steady_clock::time_point started, bool audit,
                        std::string_view tool, AuditCommitted on_commit) {
  const std::string& template_path = route ? route->spec.path : kUnmatched;
  RouteMetrics& metrics = route ? *route->metrics : unmatched_;
  response.headers.emplace_back("X-Request-Id", req.request_id);
  auto elapsed = std::chrono::steady_clock::now() - started;
  metrics.observe(response.status, elapsed);
  if (access_log_ && log_.enabled(sdk::LogLevel::info)) {
    boost::json::object fields{{"request_id", req.request_id}, {"method", req.method},
                               {"route", template_path}, {"status", response.status}, {"client", req.remote_address},
                               {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()}};
    if (principal) fields["credential_id"] = principal->credential_id;
    log_.info("request", fields);
  }
  // Last: in strict mode `on_commit` may answer (and move `response`) at once.
  if (audit && audit_ && audited(principal)) {
    sdk::AuditRecord r;
    r.at = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    // The request is done with these: move rather than copy (hot path).
    r.tenant_id = std::move(principal->tenant_id);
    r.user_id = std::move(principal->user_id);
    r.credential_type = std::move(principal->credential_type);
    r.credential_id = std::move(principal->credential_id);
    r.method = req.method;
    r.route = template_path;
    r.status = response.status;
    r.request_id = req.request_id;
    r.legacy_mode = principal->legacy_mode;
    AuditFields fields{.tool = tool,
                       .operation = route && route->operation ? std::string_view(route->operation->decl.id) : "",
                       .client_ip = req.remote_address};
    audit_->record(std::move(r), fields, std::move(on_commit));
  } else if (on_commit) {
    on_commit(true);
  }
}

}  // namespace ambit::kernel
