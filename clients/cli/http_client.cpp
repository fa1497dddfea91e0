#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>

#include <algorithm>

namespace ambit::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

template <class Stream>
HttpResponse exchange(Stream& stream, http::request<http::string_body>& req) {
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 << 20);
  if (req.method() == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers[name] = std::string(f.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

HttpResponse http_request(const std::string& base, const std::string& method, const std::string& target,
                          const HeaderList& headers, const std::string& body, std::chrono::seconds timeout) {
  auto parsed = boost::urls::parse_uri(base);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
    throw HttpFailure("not an http(s) URL: " + base);
  bool tls = parsed->scheme() == "https";
  std::string host = parsed->host();
  std::string port = parsed->has_port() ? std::string(parsed->port()) : tls ? "443" : "80";
  std::string prefix(parsed->encoded_path());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();

  std::string path = prefix + target;
  if (path.empty()) path = "/";
  http::request<http::string_body> req{http::string_to_verb(method), path, 11};
  req.set(http::field::host, parsed->has_port() ? host + ":" + port : host);
  req.set(http::field::user_agent, "ambit-cli");
  req.set(http::field::accept, "application/json");
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && req.find(http::field::content_type) == req.end())
    req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();

  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, port);
    if (!tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(timeout);
      stream.connect(endpoints);
      auto out = exchange(stream, req);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return out;
    }
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
      throw HttpFailure("TLS: cannot set the server name " + host);
    stream.set_verify_callback(ssl::host_name_verification(host));
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(ssl::stream_base::client);
    auto out = exchange(stream, req);
    beast::error_code ec;
    stream.shutdown(ec);  // servers often just close: not an error worth reporting
    return out;
  } catch (const HttpFailure&) {
    throw;
  } catch (const boost::system::system_error& e) {  // what() would add Asio's source location
    throw HttpFailure("cannot reach " + base + ": " + e.code().message());
  } catch (const std::exception& e) {
    throw HttpFailure("cannot reach " + base + ": " + e.what());
  }
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  boost::urls::url u("http://x/");
  for (auto& [k, v] : fields) u.params().append({k, v});
  std::string q(u.encoded_query());
  // A form's space is "+"; Boost.URL writes "%20", which servers accept too.
  return q;
}

std::string encode_path_segment(const std::string& text) {
  boost::urls::url u("http://x/");
  u.segments().push_back(text);
  std::string path(u.encoded_path());
  return path.substr(1);
}

}  // namespace ambit::cli
