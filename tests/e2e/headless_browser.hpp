#pragma once
// A headless Chromium driven over the DevTools protocol (a WebSocket, with
// Beast): navigate, run a script in the page, take a screenshot. For tests
// of server-rendered pages (the OAuth consent page) as a browser sees them.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <botan/base64.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "test_env.hpp"

namespace ambit::test {

/// The Chromium binary, or "" when none is installed.
inline std::string chromium_binary() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(candidate, X_OK) == 0) return candidate;
  return {};
}

/// Where tests keep screenshots: $AMBIT_TEST_ARTIFACTS, else ./test-artifacts.
inline std::filesystem::path test_artifacts_dir() {
  const char* dir = std::getenv("AMBIT_TEST_ARTIFACTS");
  std::filesystem::path p = dir && *dir ? dir : "test-artifacts";
  std::filesystem::create_directories(p);
  return p;
}

class HeadlessBrowser {
 public:
  HeadlessBrowser(const std::string& binary, const TempDir& dir) {
    port_ = free_port();
    std::string profile = dir.str() + "/chromium-profile";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      std::string port_flag = "--remote-debugging-port=" + std::to_string(port_);
      std::string profile_flag = "--user-data-dir=" + profile;
      std::freopen("/dev/null", "w", stdout);
      std::freopen((dir.str() + "/chromium.log").c_str(), "w", stderr);
      ::execl(binary.c_str(), binary.c_str(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-dev-shm-usage", "--window-size=900,900", "--remote-debugging-address=127.0.0.1",
              port_flag.c_str(), profile_flag.c_str(), "about:blank", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The page target's WebSocket, once the DevTools endpoint answers.
    std::string ws_url;
    for (int i = 0; i < 200 && ws_url.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      HttpResult list;
      try {
        list = http(port_, "GET", "/json/list");
      } catch (const std::exception&) {
        continue;
      }
      if (list.status != 200) continue;
      boost::json::value targets = boost::json::parse(list.body);
      for (auto& t : targets.as_array())
        if (t.at("type").as_string() == "page") ws_url = std::string(t.at("webSocketDebuggerUrl").as_string());
    }
    if (ws_url.empty()) throw std::runtime_error("Chromium's DevTools endpoint did not come up");
    auto path = ws_url.substr(ws_url.find('/', std::string("ws://").size()));
    boost::asio::ip::tcp::resolver resolver(ioc_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port_)));
    ws_.handshake("127.0.0.1:" + std::to_string(port_), path);
    call("Page.enable");
  }

  ~HeadlessBrowser() {
    boost::system::error_code ec;
    ws_.close(boost::beast::websocket::close_code::normal, ec);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  /// One DevTools command; its result (throws on a protocol error).
  boost::json::value call(const std::string& method, boost::json::object params = {}) {
    int id = ++next_id_;
    ws_.write(boost::asio::buffer(boost::json::serialize(boost::json::object{{"id", id}, {"method", method}, {"params", params}})));
    for (;;) {
      boost::beast::flat_buffer buffer;
      ws_.read(buffer);
      boost::json::value msg = boost::json::parse(boost::beast::buffers_to_string(buffer.data()));
      auto* msg_id = msg.as_object().if_contains("id");
      if (!msg_id || msg_id->to_number<int>() != id) continue;  // an event
      if (auto* err = msg.as_object().if_contains("error")) throw std::runtime_error(method + ": " + boost::json::serialize(*err));
      return msg.at("result");
    }
  }

  void navigate(const std::string& url) { call("Page.navigate", {{"url", url}}); }

  /// The value of a JavaScript expression in the page.
  boost::json::value eval(const std::string& expression) {
    auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
    auto& result = r.at("result").as_object();
    return result.contains("value") ? result.at("value") : boost::json::value(nullptr);
  }

  /// Polls `expression` until it is true (pages load asynchronously).
  bool wait_for(const std::string& expression, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        auto v = eval(expression);
        if (v.is_bool() && v.as_bool()) return true;
      } catch (const std::exception&) {
        // the page is between documents
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  /// A PNG of the viewport, written to `file`; its size in bytes.
  std::size_t screenshot(const std::filesystem::path& file) {
    auto r = call("Page.captureScreenshot", {{"format", "png"}});
    auto png = Botan::base64_decode(std::string(r.at("data").as_string()));
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    return png.size();
  }

 private:
  static std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  }

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int next_id_ = 0;
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
};

}  // namespace ambit::test
