#include "oauth_login.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "exit_codes.hpp"
#include "http_client.hpp"
#include "json_text.hpp"
#include "session.hpp"

namespace json = boost::json;
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

extern char** environ;

namespace ambit::cli {
namespace {

constexpr auto kWaitForBrowser = std::chrono::minutes(10);

std::string base64url(const unsigned char* bytes, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw CliError(kFailed, "no randomness for PKCE");
  return base64url(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string s256(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url(digest, sizeof digest);
}


json::object json_of(const HttpResponse& r, const std::string& what) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) throw CliError(kFailed, what + ": the server answered HTTP " + std::to_string(r.status) + " without JSON");
  return v.as_object();
}

/// The authorization server's metadata (RFC 8414).
json::object discover(const std::string& url) {
  auto r = http_request(url, "GET", "/.well-known/oauth-authorization-server");
  if (r.status == 404) throw CliError(kFailed, url + " offers no OAuth sign-in (is the auth-oauth plugin loaded?); use `ambit login --with-api-key`");
  if (r.status != 200) throw api_error(r);
  return json_of(r, "OAuth metadata");
}

/// Opens `url` in the person's browser when there is one: $BROWSER, or
/// xdg-open under a graphical session. Nothing waits for it.
void open_browser(const std::string& url) {
  std::string program;
  if (const char* b = std::getenv("BROWSER"); b && *b) program = b;
  else if (std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY")) program = "xdg-open";
  if (program.empty()) return;
  std::string arg = url;
  char* argv[] = {program.data(), arg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ) == 0) {
    int status = 0;
    ::waitpid(pid, &status, WNOHANG);
  }
  posix_spawn_file_actions_destroy(&actions);
}

struct Callback {
  std::string code;
  std::string error;
};

/// Waits on `acceptor` for the browser's GET /callback?code=..&state=..,
/// answers it with a page, and returns what it carried.
Callback await_callback(net::io_context& ioc, tcp::acceptor& acceptor, const std::string& state) {
  auto deadline = std::chrono::steady_clock::now() + kWaitForBrowser;
  while (std::chrono::steady_clock::now() < deadline) {
    tcp::socket socket(ioc);
    boost::system::error_code ec;
    bool accepted = false;
    acceptor.async_accept(socket, [&](boost::system::error_code e) { ec = e, accepted = true; });
    ioc.restart();
    ioc.run_for(deadline - std::chrono::steady_clock::now());
    if (!accepted) break;
    if (ec) continue;
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(10));
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> req;
    beast::http::read(stream, buffer, req, ec);
    if (ec) continue;
    auto target = boost::urls::parse_origin_form(req.target());
    beast::http::response<beast::http::string_body> res{beast::http::status::ok, 11};
    res.set(beast::http::field::content_type, "text/html; charset=utf-8");
    res.set(beast::http::field::cache_control, "no-store");
    Callback got;
    bool ours = target && target->path() == "/callback";
    if (ours) {
      auto params = target->params();
      auto get = [&](const char* key) {
        auto it = params.find(key);
        return it == params.end() ? std::string() : std::string((*it).value);
      };
      if (get("state") != state) {
        ours = false;  // not the answer to our request: ignore it and keep waiting
      } else {
        got.code = get("code");
        got.error = get("error");
        if (got.code.empty() && got.error.empty()) got.error = "no code in the redirect";
        if (!get("error_description").empty()) got.error += ": " + get("error_description");
      }
    }
    if (!ours) res.result(beast::http::status::not_found);
    res.body() = !ours ? "<!doctype html><title>ambit</title><p>Not found.</p>"
                 : got.error.empty()
                     ? "<!doctype html><title>ambit</title><p>Signed in. You can close this tab and go back to the terminal.</p>"
                     : "<!doctype html><title>ambit</title><p>The sign-in did not complete. The terminal says why.</p>";
    res.prepare_payload();
    beast::http::write(stream, res, ec);
    if (ours) return got;
  }
  throw CliError(kAuth, "no answer from the browser within 10 minutes");
}

}  // namespace

json::object oauth_login(const LoginOptions& options) {
  auto meta = discover(options.url);
  std::string authorize = text_of(meta, "authorization_endpoint"), token = text_of(meta, "token_endpoint"),
              registration = text_of(meta, "registration_endpoint");
  if (authorize.empty() || token.empty() || registration.empty())
    throw CliError(kFailed, "the server's OAuth metadata lacks an authorization, token or registration endpoint");
  std::string scope;
  if (auto* s = meta.if_contains("scopes_supported"); s && s->is_array())
    for (auto& one : s->as_array())
      if (one.is_string()) scope += (scope.empty() ? "" : " ") + std::string(one.as_string());

  // The loopback listener first: its port is part of the redirect URI.
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::string redirect = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/callback";

  // A public client of its own (no secret to keep); loopback redirects match any port (RFC 8252 7.3).
  char host[256] = "this machine";
  ::gethostname(host, sizeof host - 1);
  json::object metadata{{"client_name", std::string("ambit CLI on ") + host},
                        {"redirect_uris", json::array{"http://127.0.0.1/callback"}},
                        {"token_endpoint_auth_method", "none"},
                        {"grant_types", json::array{"authorization_code", "refresh_token"}},
                        {"response_types", json::array{"code"}}};
  if (!scope.empty()) metadata["scope"] = scope;
  auto reg = http_request(registration, "POST", "", {}, json::serialize(metadata));
  if (reg.status != 201) throw api_error(reg);
  std::string client_id = text_of(json_of(reg, "registration"), "client_id");

  std::string verifier = random_token(48), state = random_token(16);
  boost::urls::url url(authorize);
  url.params().append({"response_type", "code"});
  url.params().append({"client_id", client_id});
  url.params().append({"redirect_uri", redirect});
  if (!scope.empty()) url.params().append({"scope", scope});
  url.params().append({"state", state});
  url.params().append({"code_challenge", s256(verifier)});
  url.params().append({"code_challenge_method", "S256"});
  std::cerr << "Open this URL in your browser to sign in:\n  " << url.buffer() << "\n" << std::flush;
  if (options.open_browser) open_browser(std::string(url.buffer()));
  std::cerr << "Waiting for the browser..." << std::endl;

  Callback cb = await_callback(ioc, acceptor, state);
  if (!cb.error.empty()) throw CliError(kAuth, "the sign-in was not completed: " + cb.error);
  auto t = http_request(token, "POST", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        form_encode({{"grant_type", "authorization_code"},
                                     {"code", cb.code},
                                     {"redirect_uri", redirect},
                                     {"client_id", client_id},
                                     {"code_verifier", verifier}}));
  if (t.status != 200) {
    auto body = json_of(t, "token");
    throw CliError(kAuth, "the server refused the code: " + text_of(body, "error") + " " + text_of(body, "error_description"));
  }
  auto tokens = json_of(t, "token");
  long long expires_in = tokens.contains("expires_in") ? tokens.at("expires_in").to_number<long long>() : 3600;
  return {{"type", "oauth"},
          {"client_id", client_id},
          {"access_token", tokens.at("access_token")},
          {"refresh_token", tokens.contains("refresh_token") ? tokens.at("refresh_token") : json::value("")},
          {"expires_at", unix_now() + expires_in},
          {"token_endpoint", token},
          {"revocation_endpoint", text_of(meta, "revocation_endpoint")}};
}

bool oauth_logout(const json::object& auth) {
  std::string endpoint = text_of(auth, "revocation_endpoint");
  if (endpoint.empty()) return false;
  bool confirmed = true;
  // The refresh token first: revoking it ends the grant, and with it the access token.
  for (auto [kind, hint] : {std::pair{"refresh_token", "refresh_token"}, std::pair{"access_token", "access_token"}}) {
    std::string token = text_of(auth, kind);
    if (token.empty()) continue;
    try {
      auto r = http_request(endpoint, "POST", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                            form_encode({{"token", token}, {"token_type_hint", hint}, {"client_id", text_of(auth, "client_id")}}),
                            std::chrono::seconds(15));
      confirmed = confirmed && r.status == 200;
    } catch (const HttpFailure&) {
      confirmed = false;
    }
  }
  return confirmed;
}

}  // namespace ambit::cli
