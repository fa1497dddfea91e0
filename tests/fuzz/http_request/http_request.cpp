// Bytes on a connection -> the responses written, through the real Session of
// kernel/src/http/server.cpp (Beast's request_parser with the server's limits,
// keep-alive and pipelining, the error answers) and the real Dispatcher and
// Router. One io_context on this thread; the connection is a socketpair.
//
// Session is private to server.cpp, so the file is compiled into this target.
// The input goes to the session in pieces whose size follows from the input's
// length, so that requests also arrive split across reads.
//
// Properties checked: the output is a sequence of complete HTTP/1.x responses
// that Beast parses, each with an X-Request-Id; no response header carries the
// handler's echo of a CR or LF; the connection always ends.
#include "http/server.cpp"  // NOLINT(bugprone-suspicious-include)

#include <sys/socket.h>

#include <csignal>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace ambit;
using ambit::fuzz::violated;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

/// Accepts "ak_live_good" (scope projects:read), refuses other ak_ tokens,
/// always from memory: no request leaves the I/O thread.
class FakeAuthenticator final : public sdk::Authenticator {
 public:
  bool claims(std::string_view token) const override { return token.rfind("ak_", 0) == 0; }
  sdk::AuthResult authenticate(std::string_view token) override { return *authenticate_cached(token); }
  std::optional<sdk::AuthResult> authenticate_cached(std::string_view token) override {
    if (token != "ak_live_good") return sdk::AuthResult::rejected("unknown");
    sdk::Principal p;
    p.tenant_id = "t1";
    p.credential_type = "api_key";
    p.credential_id = "k1";
    p.scopes = {"projects:read"};
    p.audited = false;
    return sdk::AuthResult::ok(std::move(p));
  }
};

/// Echoes what the kernel handed over: params, query, the JSON body, and a
/// path parameter as a response header (the serializer must drop CR/LF).
sdk::Response echo(const sdk::Request& req) {
  boost::json::object out;
  boost::json::object params;
  for (auto& [k, v] : req.path_params) params[k] = v;
  boost::json::array query;
  for (auto& [k, v] : req.query_params) query.push_back(boost::json::array{boost::json::string(k), boost::json::string(v)});
  out["route"] = req.route;
  out["path"] = req.path;
  out["params"] = std::move(params);
  out["query"] = std::move(query);
  if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") out["body"] = req.json_object();
  auto r = sdk::Response::data(std::move(out));
  // Decoded path segments may hold any byte: the serializer must drop a
  // header whose value holds a control character.
  for (auto& [k, v] : req.path_params) r.with_header("X-Echo-" + k, v);
  if (auto q = req.query("status")) {
    if (*q == "304") return sdk::Response::empty(304).with_header("ETag", "\"x\"");
    if (*q == "204") return sdk::Response::empty(204);
    if (*q == "429") throw sdk::ApiError(429, "RATE_LIMITED", "slow down", {{"retry_after", 3}});
    if (*q == "500") throw std::runtime_error("handler failure");
  }
  return r;
}

void route(kernel::Router& router, const char* method, const char* path, sdk::AuthMode auth, const char* scope = "") {
  sdk::RouteSpec r;
  r.method = method;
  r.path = path;
  r.auth = auth;
  r.scope = scope;
  r.may_block = false;  // every handler runs inline on this thread
  r.handler = echo;
  router.add(std::move(r), "fuzz");
}

struct Fixture {
  fuzz::NullLogger log;
  kernel::KernelConfig config;
  kernel::Router router;
  std::vector<std::shared_ptr<sdk::Authenticator>> authenticators{std::make_shared<FakeAuthenticator>()};
  std::string public_url = "http://127.0.0.1";
  std::unique_ptr<kernel::Dispatcher> dispatcher;
  std::unique_ptr<kernel::HttpServer> server;
  net::io_context ioc{1};

  Fixture() {
    // The limits and timeouts ambit serves with when the config leaves them out.
    auto loaded = kernel::load_config_text(R"({"plugins": []})", "fuzz.json",
                                           [](const char*) { return std::optional<std::string>(); });
    if (!loaded.config) violated("the default config does not load", loaded.errors.empty() ? "" : loaded.errors[0]);
    std::signal(SIGPIPE, SIG_IGN);  // the server may close before reading everything
    config = std::move(*loaded.config);
    config.io_threads = 1;
    config.access_log = false;
    using sdk::AuthMode;
    route(router, "GET", "/healthz", AuthMode::none);
    route(router, "GET", "/v1/me", AuthMode::required);
    route(router, "GET", "/v1/admin/projects", AuthMode::required, "projects:read");
    route(router, "POST", "/v1/admin/projects", AuthMode::required, "projects:write");
    route(router, "GET", "/v1/admin/projects/:projectId", AuthMode::required, "projects:read");
    route(router, "PATCH", "/v1/admin/projects/:projectId", AuthMode::required, "projects:write");
    route(router, "DELETE", "/v1/admin/projects/:projectId", AuthMode::required, "projects:write");
    route(router, "GET", "/v1/admin/projects/:projectId/config", AuthMode::required, "projects:read");
    route(router, "PUT", "/v1/admin/projects/:projectId/config/:key", AuthMode::required);
    route(router, "GET", "/v1/client/config", AuthMode::optional);
    route(router, "POST", "/oauth/token", AuthMode::none);
    route(router, "GET", "/management/v1/clients/:clientId", AuthMode::optional);
    route(router, "POST", "/management/v1/clients/:clientId/keys", AuthMode::none);
    dispatcher = std::make_unique<kernel::Dispatcher>(router, authenticators, log, 1, false, nullptr, public_url);
    server = std::make_unique<kernel::HttpServer>(config, *dispatcher, log);
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture();  // never destroyed: the worker pool outlives the run
  return *f;
}

/// The written bytes must be complete responses, one after another.
void check_responses(std::string_view out) {
  while (!out.empty()) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16u << 20);
    parser.eager(true);
    beast::error_code ec;
    std::size_t used = parser.put(net::buffer(out.data(), out.size()), ec);
    if (ec) violated("the server wrote something that is not an HTTP response", ec.message());
    if (!parser.is_done()) violated("the server wrote a truncated response", out.substr(0, 200));
    auto& res = parser.get();
    if (res.find("X-Request-Id") == res.end()) violated("a response without X-Request-Id", out.substr(0, 200));
    for (auto& field : res)
      if (field.name_string().starts_with("X-Echo-") && field.value().find_first_of("\r\n") != beast::string_view::npos)
        violated("a CR or LF in a response header", field.value());
    out.remove_prefix(used);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) violated("socketpair failed");

  auto session = std::make_shared<kernel::Session>(f.ioc, *f.server);
  beast::error_code ec;
  session->socket().assign(net::ip::tcp::v4(), fds[0], ec);
  if (ec) violated("assign failed", ec.message());
  std::weak_ptr<kernel::Session> alive = session;
  f.server->session_opened(session);
  session->start();
  session.reset();

  // The client side: write the input in pieces, then half-close; read all.
  net::local::stream_protocol::socket peer(f.ioc);
  peer.assign(net::local::stream_protocol(), fds[1]);
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t piece = 1 + size % 97;
  std::size_t sent = 0;
  std::function<void()> send_next = [&] {
    if (sent >= input.size()) {
      peer.shutdown(net::socket_base::shutdown_send, ec);
      return;
    }
    std::size_t n = std::min(piece, input.size() - sent);
    net::async_write(peer, net::buffer(input.data() + sent, n), [&, n](beast::error_code wec, std::size_t) {
      sent += n;
      if (wec) return;  // the server closed early (an error answer): fine
      send_next();
    });
  };
  send_next();
  std::string out;
  bool eof = false;
  std::array<char, 4096> chunk;
  std::function<void()> read_next = [&] {
    peer.async_read_some(net::buffer(chunk), [&](beast::error_code rec, std::size_t n) {
      out.append(chunk.data(), n);
      if (rec) {
        eof = true;
        return;
      }
      read_next();
    });
  };
  read_next();

  // Run until the client saw the end and the session is gone. Every handler
  // runs inline, so the io_context only runs dry when both happened.
  f.ioc.restart();
  f.ioc.run();
  if (!eof || !alive.expired()) violated("the connection did not end");
  peer.close(ec);
  check_responses(out);
  return 0;
}
