#pragma once
// Profiles: one per server a person uses, in
// $XDG_CONFIG_HOME/ambit/profiles.json (mode 0600; it holds credentials).
//
//   {"profiles": {"default": {"url": "https://api.example.com",
//                             "auth": {"type": "oauth", "client_id": ..., "access_token": ...,
//                                      "refresh_token": ..., "expires_at": 1767225600},
//                             "project": "prj_..."}}}

#include <boost/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace ambit::cli {

struct Profile {
  std::string url;
  boost::json::object auth;  ///< {"type": "api_key", "api_key"} or {"type": "oauth", ...}; empty: signed out
  std::string project;       ///< `ambit use project`
};

/// $XDG_CONFIG_HOME/ambit (~/.config/ambit) and $XDG_CACHE_HOME/ambit (~/.cache/ambit).
std::filesystem::path config_dir();
std::filesystem::path cache_dir();

class ProfileStore {
 public:
  /// Reads the file (none yet: no profiles). Throws std::runtime_error when it is not ours to read.
  ProfileStore();
  std::optional<Profile> find(const std::string& name) const;
  void put(const std::string& name, const Profile& profile);
  /// Writes the file atomically, mode 0600 in a 0700 directory.
  void save() const;

 private:
  std::filesystem::path file_;
  boost::json::object profiles_;
};

/// Write `text` to `path` atomically (a temporary file renamed over it), mode 0600.
void write_private_file(const std::filesystem::path& path, const std::string& text);

}  // namespace ambit::cli
