// The consent page in a real browser (headless Chromium over the DevTools
// protocol), on SQLite: sign in, approve, land on the client's redirect URI
// with a code that exchanges for tokens. Screenshots of the sign-in and
// consent pages are kept in $AMBIT_TEST_ARTIFACTS.
#include <gtest/gtest.h>
#include <botan/base64.h>
#include <botan/hash.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "e2e_util.hpp"
#include "pkce.hpp"
#include "headless_browser.hpp"

using namespace ambit::test;
namespace json = boost::json;
namespace beast = boost::beast;

namespace {

const std::string kVerifier = "browser-test-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const std::string kPassword = "correct horse battery staple";

/// The client's redirect endpoint: records the first /callback request
/// target, answers a page. Connections that send nothing (a browser's
/// speculative preconnect) are dropped after a second.
class Callback {
 public:
  Callback() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      while (!stop_) {
        boost::asio::ip::tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stop_) return;
        timeval limit{1, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> req;
        beast::http::read(socket, buffer, req, ec);
        if (ec) continue;
        std::string target(req.target());
        if (target.rfind("/callback", 0) != 0) continue;  // e.g. /favicon.ico
        {
          std::lock_guard lock(mu_);
          if (target_.empty()) target_ = target;
        }
        respond(socket);
      }
    });
  }
  ~Callback() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string uri() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/callback"; }
  std::string target() {
    std::lock_guard lock(mu_);
    return target_;
  }

 private:
  static void respond(boost::asio::ip::tcp::socket& socket) {
    beast::http::response<beast::http::string_body> res{beast::http::status::ok, 11};
    res.set(beast::http::field::content_type, "text/html");
    res.body() = "<!doctype html><title>back in the app</title><p id=done>back in the app</p>";
    res.prepare_payload();
    boost::system::error_code ec;
    beast::http::write(socket, res, ec);
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string target_;
};

}  // namespace

TEST(OAuthConsentInABrowser, SignInApproveAndReturnWithACode) {
  std::string chromium = chromium_binary();
  if (chromium.empty()) {
    if (std::getenv("AMBIT_TEST_REQUIRE_BROWSER")) FAIL() << "chromium is not installed (scripts/test installs it)";
    GTEST_SKIP() << "chromium is not installed";
  }
  TempDir dir;
  auto cfg = e2e_config(dir, sqlite_url(dir), {json::object{{"name", "auth-apikey"}}, json::object{{"name", "auth-oauth"}}});
  std::string config_file = write_config(dir, cfg);
  auto boot = run_ambit({"bootstrap", "--config", config_file, "--email", "owner@example.com", "--password", kPassword});
  ASSERT_EQ(boot.exit_code, 0) << boot.err;
  ServerProcess server(config_file);
  Callback callback;

  auto reg = http(server.port(), "POST", "/oauth/register", {},
                  json::serialize(json::object{{"client_name", "Browser Test App"},
                                               {"redirect_uris", json::array{callback.uri()}},
                                               {"token_endpoint_auth_method", "none"},
                                               {"scope", "keys:read members:read"}}));
  ASSERT_EQ(reg.status, 201) << reg.body;
  std::string client_id(reg.json().at("client_id").as_string());

  boost::urls::url authorize("http://127.0.0.1:" + std::to_string(server.port()) + "/oauth/authorize");
  authorize.params().append({"response_type", "code"});
  authorize.params().append({"client_id", client_id});
  authorize.params().append({"redirect_uri", callback.uri()});
  authorize.params().append({"scope", "keys:read members:read"});
  authorize.params().append({"state", "browser-state"});
  authorize.params().append({"code_challenge", pkce_challenge(kVerifier)});
  authorize.params().append({"code_challenge_method", "S256"});

  HeadlessBrowser browser(chromium, dir);
  browser.navigate(std::string(authorize.buffer()));
  ASSERT_TRUE(browser.wait_for("document.readyState === 'complete' && !!document.getElementById('password')"));
  EXPECT_NE(json::serialize(browser.eval("document.body.innerText")).find("Browser Test App"), std::string::npos);
  auto dir_out = test_artifacts_dir();
  EXPECT_GT(browser.screenshot(dir_out / "oauth-sign-in.png"), 1000u);

  // Sign in as a person would: type, click.
  browser.eval("document.getElementById('email').value = 'owner@example.com';"
               "document.getElementById('password').value = '" + kPassword + "';"
               "document.querySelector('button[type=submit]').click(); true");
  ASSERT_TRUE(browser.wait_for("!!document.querySelector('button.approve')"))
      << json::serialize(browser.eval("document.body.innerText"));
  std::string consent_text = json::serialize(browser.eval("document.body.innerText"));
  EXPECT_NE(consent_text.find("See keys"), std::string::npos) << consent_text;
  EXPECT_NE(consent_text.find("127.0.0.1"), std::string::npos);
  EXPECT_GT(browser.screenshot(dir_out / "oauth-consent.png"), 1000u);

  browser.eval("document.querySelector('button.approve').click(); true");
  ASSERT_TRUE(browser.wait_for("!!document.getElementById('done')")) << json::serialize(browser.eval("location.href"));
  std::string received = callback.target();  // held: the url_view points into it
  auto target = boost::urls::parse_origin_form(received);
  ASSERT_TRUE(target) << received;
  std::map<std::string, std::string> params;
  for (auto p : target->params()) params[p.key] = p.value;
  EXPECT_EQ(params["state"], "browser-state");
  EXPECT_EQ(params["iss"], "http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_FALSE(params["code"].empty()) << received;

  boost::urls::url body("http://x/");
  body.params().append({"grant_type", "authorization_code"});
  body.params().append({"code", params["code"]});
  body.params().append({"redirect_uri", callback.uri()});
  body.params().append({"client_id", client_id});
  body.params().append({"code_verifier", kVerifier});
  auto t = http(server.port(), "POST", "/oauth/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                std::string(body.encoded_query()));
  ASSERT_EQ(t.status, 200) << t.body;
  auto who = http(server.port(), "GET", "/v1/me", bearer(std::string(t.json().at("access_token").as_string())));
  EXPECT_EQ(who.status, 200);
}
