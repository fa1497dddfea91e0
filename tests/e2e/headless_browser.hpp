#pragma once
// A headless Chromium driven over the DevTools protocol (a WebSocket, with
// Beast): navigate, run a script in the page, take a screenshot. For tests
// of server-rendered pages (the OAuth consent page) as a browser sees them.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
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
    std::string profile = dir.str() + "/chromium-profile";
    // Everything the child needs is built before fork: it only execs.
    std::vector<std::string> args = {binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                     "--disable-dev-shm-usage", "--window-size=900,900",
                                     "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                                     "--user-data-dir=" + profile, "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = dir.str() + "/chromium.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      int devnull = ::open("/dev/null", O_WRONLY), err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(devnull, 1);
      ::dup2(err, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Chromium picks its port and writes it to <profile>/DevToolsActivePort.
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream active(profile + "/DevToolsActivePort");
      int port = 0;
      if (active >> port) port_ = static_cast<std::uint16_t>(port);
    }
    if (port_ == 0) throw std::runtime_error("Chromium did not open its DevTools port; see " + log);
    // The page target's WebSocket, once the DevTools endpoint answers.
    std::string ws_url;
    for (int i = 0; i < 200 && ws_url.empty(); ++i) {
      if (i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
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
    // A stuck browser fails the read after 30 s instead of hanging the test.
    timeval limit{30, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
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
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int next_id_ = 0;
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
};

}  // namespace ambit::test
