#pragma once
// Who the CLI talks to, and as whom: the profile's server and credential,
// or AMBIT_URL / AMBIT_API_KEY from the environment, which win (CI). An
// OAuth access token is refreshed before it expires and once more after a
// 401, and the new pair is saved.

#include <boost/json.hpp>

#include <string>

#include "http_client.hpp"
#include "profiles.hpp"

namespace ambit::cli {

inline constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

class Session {
 public:
  /// `profile_name`: --profile, else AMBIT_PROFILE, else "default".
  explicit Session(std::string profile_name);

  const std::string& profile_name() const { return name_; }
  const std::string& url() const { return url_; }
  bool signed_in() const { return !api_key_.empty() || auth_type() == "oauth"; }
  /// The profile's default project (`ambit use project`).
  const std::string& default_project() const { return profile_.project; }
  /// A short, non-secret label of the credential in use (cache keys).
  std::string credential_label() const;

  /// A request with the credential; throws CliError(kAuth) when there is none.
  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                    HeaderList headers = {});

  /// Change and save the profile (login, logout, use).
  Profile& profile() { return profile_; }
  void save();

 private:
  std::string auth_type() const;
  std::string authorization();
  bool refresh();

  std::string name_;
  ProfileStore store_;
  Profile profile_;
  std::string url_;
  std::string api_key_;  ///< from AMBIT_API_KEY, or the profile's
};

/// Seconds since the epoch.
long long unix_now();

}  // namespace ambit::cli
