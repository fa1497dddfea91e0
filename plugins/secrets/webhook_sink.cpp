#include "webhook_sink.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <botan/hex.h>
#include <botan/mac.h>

#include <stdexcept>

#include "sync_failure.hpp"

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

namespace secrets {

WebhookSink::WebhookSink(std::string url, std::string key, std::chrono::milliseconds timeout)
    : key_(std::move(key)), timeout_(timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty())
    throw std::invalid_argument("sink.url is not an http:// URL");
  host_ = std::string(parsed->host());
  port_ = parsed->has_port() ? std::string(parsed->port()) : "80";
  target_ = parsed->encoded_target().empty() ? "/" : std::string(parsed->encoded_target());
}

void WebhookSink::write(const ambit::sdk::SecretBundle& bundle) {
  json::object values;
  for (auto& [name, value] : bundle.values) values[name] = value;
  post(json::serialize(json::object{
      {"project_id", bundle.project_id},
      {"function", bundle.function.empty() ? json::value(nullptr) : json::value(bundle.function)},
      {"secrets", std::move(values)}}));
}

void WebhookSink::reap(const std::string& project_id, const std::vector<std::string>& keep) {
  json::array kept;
  for (auto& f : keep) kept.emplace_back(f);
  post(json::serialize(json::object{{"project_id", project_id}, {"reap", true}, {"keep", std::move(kept)}}));
}

void WebhookSink::post(const std::string& body) {
  auto hmac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  hmac->set_key(reinterpret_cast<const std::uint8_t*>(key_.data()), key_.size());
  hmac->update(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  std::string signature = "sha256=" + Botan::hex_encode(hmac->final(), false);

  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout_);
  http::request<http::string_body> req{http::verb::post, target_, 11};
  req.set(http::field::host, port_ == "80" ? host_ : host_ + ":" + port_);
  req.set(http::field::content_type, "application/json");
  req.set("X-Ambit-Signature", signature);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  // Run to completion on this thread; the stream's deadline bounds connect, send and receive together.
  tcp::resolver resolver(io);
  resolver.async_resolve(host_, port_, [&](beast::error_code e, tcp::resolver::results_type results) {
    if (e) return void(ec = e);
    stream.async_connect(results, [&](beast::error_code e2, const tcp::endpoint&) {
      if (e2) return void(ec = e2);
      http::async_write(stream, req, [&](beast::error_code e3, std::size_t) {
        if (e3) return void(ec = e3);
        http::async_read(stream, buffer, res, [&](beast::error_code e4, std::size_t) { ec = e4; });
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (ec) throw SyncFailure(kWebhookSilent, "webhook " + host_ + ":" + port_ + " unreachable: " + ec.message());
  if (res.result_int() < 200 || res.result_int() > 299) {
    std::string answered = "the webhook answered " + std::to_string(res.result_int());
    throw SyncFailure(answered, answered + " (" + host_ + ":" + port_ + ")");
  }
}

}  // namespace secrets
