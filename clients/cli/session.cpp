#include "session.hpp"

#include <chrono>
#include <cstdlib>

#include "exit_codes.hpp"
#include "json_text.hpp"

namespace json = boost::json;

namespace ambit::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}


}  // namespace

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Session::Session(std::string profile_name) : name_(std::move(profile_name)) {
  if (name_.empty()) name_ = env("AMBIT_PROFILE");
  if (name_.empty()) name_ = "default";
  if (auto p = store_.find(name_)) profile_ = *p;
  url_ = env("AMBIT_URL");
  if (url_.empty()) url_ = profile_.url;
  if (url_.empty()) url_ = kDefaultUrl;
  while (url_.size() > 1 && url_.back() == '/') url_.pop_back();
  api_key_ = env("AMBIT_API_KEY");
  if (api_key_.empty() && auth_type() == "api_key") api_key_ = text_of(profile_.auth, "api_key");
}

std::string Session::auth_type() const { return text_of(profile_.auth, "type"); }

std::string Session::credential_label() const {
  if (!api_key_.empty()) return api_key_.substr(0, 14);  // the key's display prefix: not the secret
  return text_of(profile_.auth, "client_id");
}

void Session::save() {
  store_.put(name_, profile_);
  store_.save();
}

bool Session::refresh() {
  std::string token = text_of(profile_.auth, "refresh_token");
  if (token.empty()) return false;
  auto r = http_request(text_of(profile_.auth, "token_endpoint"), "POST", "",
                        {{"Content-Type", "application/x-www-form-urlencoded"}},
                        form_encode({{"grant_type", "refresh_token"},
                                     {"refresh_token", token},
                                     {"client_id", text_of(profile_.auth, "client_id")}}));
  if (r.status != 200) return false;
  auto body = json::parse(r.body).as_object();
  profile_.auth["access_token"] = body.at("access_token");
  if (auto* rt = body.if_contains("refresh_token")) profile_.auth["refresh_token"] = *rt;
  long long expires_in = body.contains("expires_in") ? body.at("expires_in").to_number<long long>() : 3600;
  profile_.auth["expires_at"] = unix_now() + expires_in;
  save();
  return true;
}

std::string Session::authorization() {
  if (!api_key_.empty()) return "Bearer " + api_key_;
  if (auth_type() != "oauth")
    throw CliError(kAuth, "not signed in to " + url_ + ": run `ambit login` (or set AMBIT_API_KEY)");
  auto* expires = profile_.auth.if_contains("expires_at");
  if (expires && expires->is_int64() && expires->as_int64() - 30 < unix_now() && !refresh())
    throw CliError(kAuth, "the sign-in to " + url_ + " expired: run `ambit login`");
  return "Bearer " + text_of(profile_.auth, "access_token");
}

HttpResponse Session::call(const std::string& method, const std::string& target, const std::string& body,
                           HeaderList headers) {
  headers.emplace_back("Authorization", authorization());
  auto r = http_request(url_, method, target, headers, body);
  if (r.status == 401 && api_key_.empty() && auth_type() == "oauth" && refresh()) {
    headers.back().second = authorization();
    r = http_request(url_, method, target, headers, body);
  }
  return r;
}

}  // namespace ambit::cli
