#include "directory_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "sync_failure.hpp"

namespace fs = std::filesystem;

namespace secrets {
namespace {

std::string target_file(const std::string& function) { return (function.empty() ? "_project" : function) + ".env"; }

std::string env_line(const std::string& name, const std::string& value) {
  std::string line = name + "=\"";
  for (char c : value) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '"': line += "\\\""; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line += c;
    }
  }
  return line + "\"\n";
}

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw SyncFailure(kDirectoryFailed, what + " " + path.string() + ": " + std::strerror(errno));
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open directory", dir);
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void DirectorySink::write(const ambit::sdk::SecretBundle& bundle) {
  fs::path dir = fs::path(root_) / bundle.project_id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw SyncFailure(kDirectoryFailed, "cannot create directory " + dir.string());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  std::string content;
  for (auto& [name, value] : bundle.values) content += env_line(name, value);
  fs::path final_path = dir / target_file(bundle.function);
  fs::path tmp = dir / ("." + target_file(bundle.function) + ".tmp" + std::to_string(std::random_device{}()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot flush", tmp);
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot rename onto", final_path);
  }
  fsync_dir(dir);
}

void DirectorySink::remove_project(const std::string& project_id) {
  fs::path dir = fs::path(root_) / project_id;
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) throw SyncFailure(kDirectoryFailed, "cannot remove " + dir.string() + ": " + ec.message());
}

void DirectorySink::reap(const std::string& project_id, const std::vector<std::string>& keep) {
  fs::path dir = fs::path(root_) / project_id;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (auto& entry : fs::directory_iterator(dir)) {
    std::string file = entry.path().filename().string();
    if (file.size() < 5 || file.substr(file.size() - 4) != ".env" || file.front() == '.') continue;
    bool kept = std::any_of(keep.begin(), keep.end(), [&](const std::string& f) { return target_file(f) == file; });
    if (!kept && ::unlink(entry.path().c_str()) != 0) fail("cannot remove", entry.path());
  }
  fsync_dir(dir);
}

}  // namespace secrets
