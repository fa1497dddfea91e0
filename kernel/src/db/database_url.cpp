#include "db/database_url.hpp"

#include <boost/url/parse.hpp>

#include <cctype>
#include <stdexcept>
#include <vector>

namespace ambit::kernel {
namespace {

// libpq keyword values: quote when empty or containing spaces, quotes, backslashes.
std::string keyword_value(const std::string& v) {
  bool plain = !v.empty();
  for (char c : v)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '\\') plain = false;
  if (plain) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool looks_like_keyword_form(const std::string& rest) {
  std::size_t i = 0;
  while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
  std::size_t start = i;
  while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) || rest[i] == '_')) ++i;
  return i > start && i < rest.size() && rest[i] == '=';
}

DatabaseTarget parse_postgres(const std::string& url, const std::string& rest) {
  DatabaseTarget t{sdk::Dialect::postgresql, {}, {}, {}};
  if (looks_like_keyword_form(rest)) {
    t.connect_string = rest;
    // Redact password=... in keyword form.
    std::string red = rest;
    auto p = red.find("password=");
    if (p != std::string::npos) {
      auto end = red.find(' ', p);
      red.replace(p, (end == std::string::npos ? red.size() : end) - p, "password=***");
    }
    t.redacted = "postgresql://" + red;
    return t;
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("not a valid postgresql:// URL: " + parsed.error().message());
  const auto& u = *parsed;
  std::vector<std::pair<std::string, std::string>> kv;
  if (u.has_authority()) {
    std::string host = u.host_address();
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (!host.empty()) kv.emplace_back("host", host);
    if (u.has_port()) kv.emplace_back("port", std::string(u.port()));
    if (u.has_userinfo()) {
      kv.emplace_back("user", u.user());
      if (u.has_password()) kv.emplace_back("password", u.password());
    }
  }
  std::string path = u.path();
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (!path.empty()) kv.emplace_back("dbname", path);
  for (auto param : u.params()) {
    if (param.key.empty()) continue;
    kv.emplace_back(param.key, param.has_value ? param.value : "");
  }
  std::string conn, red;
  for (auto& [k, v] : kv) {
    conn += (conn.empty() ? "" : " ") + k + "=" + keyword_value(v);
    red += (red.empty() ? "" : " ") + k + "=" + (k == "password" ? "***" : keyword_value(v));
  }
  if (conn.empty()) throw std::invalid_argument("postgresql URL names no host or database");
  t.connect_string = conn;
  t.redacted = "postgresql://" + red;
  return t;
}

}  // namespace

DatabaseTarget parse_database_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw std::invalid_argument("expected sqlite3://<path> or postgresql://..., got \"" + url + "\"");
  std::string scheme = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  if (scheme == "sqlite3" || scheme == "sqlite") {
    std::string path = rest;
    if (rest.rfind("db=", 0) == 0) {  // SOCI keyword form: db=<path> [other=...]
      path = rest.substr(3);
      path = path.substr(0, path.find(' '));
    }
    if (path.empty()) throw std::invalid_argument("sqlite3 URL names no file");
    return {sdk::Dialect::sqlite, "db=" + keyword_value(path), "sqlite3://" + path, path};
  }
  if (scheme == "postgresql" || scheme == "postgres") return parse_postgres(url, rest);
  throw std::invalid_argument("unsupported database scheme \"" + scheme + "\" (use sqlite3:// or postgresql://)");
}

}  // namespace ambit::kernel
