#include "profiles.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "json_text.hpp"

namespace json = boost::json;
namespace fs = std::filesystem;

namespace ambit::cli {
namespace {

fs::path xdg_dir(const char* variable, const char* fallback_under_home) {
  if (const char* v = std::getenv(variable); v && *v == '/') return fs::path(v) / "ambit";
  const char* home = std::getenv("HOME");
  if (!home || !*home) throw std::runtime_error(std::string("neither ") + variable + " nor HOME is set");
  return fs::path(home) / fallback_under_home / "ambit";
}


}  // namespace

fs::path config_dir() { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
fs::path cache_dir() { return xdg_dir("XDG_CACHE_HOME", ".cache"); }

void write_private_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  ::chmod(path.parent_path().c_str(), 0700);
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      fs::remove(tmp);
      throw std::runtime_error("cannot write " + tmp.string());
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path);
}

ProfileStore::ProfileStore() : file_(config_dir() / "profiles.json") {
  std::ifstream in(file_);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object()) throw std::runtime_error(file_.string() + " is not JSON; fix or remove it");
  if (auto* p = doc.as_object().if_contains("profiles"); p && p->is_object()) profiles_ = p->as_object();
}

std::optional<Profile> ProfileStore::find(const std::string& name) const {
  auto* p = profiles_.if_contains(name);
  if (!p || !p->is_object()) return std::nullopt;
  const auto& o = p->as_object();
  Profile out{text_of(o, "url"), {}, text_of(o, "project")};
  if (auto* a = o.if_contains("auth"); a && a->is_object()) out.auth = a->as_object();
  return out;
}

void ProfileStore::put(const std::string& name, const Profile& profile) {
  json::object o{{"url", profile.url}};
  if (!profile.auth.empty()) o["auth"] = profile.auth;
  if (!profile.project.empty()) o["project"] = profile.project;
  profiles_[name] = std::move(o);
}

void ProfileStore::save() const { write_private_file(file_, json::serialize(json::object{{"profiles", profiles_}}) + "\n"); }

}  // namespace ambit::cli
