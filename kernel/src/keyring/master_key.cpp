#include "keyring/master_key.hpp"

#include <botan/base64.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/system_rng.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ambit::kernel {
namespace fs = std::filesystem;

MasterKey MasterKey::from_bytes(Botan::secure_vector<std::uint8_t> bytes) {
  auto hash = Botan::HashFunction::create_or_throw("SHA-256");
  hash->update("ambit master key id\n");
  hash->update(bytes);
  MasterKey k;
  k.kid = "mk-" + Botan::hex_encode(hash->final(), false).substr(0, 16);
  k.bytes = std::move(bytes);
  return k;
}

MasterKey MasterKey::from_base64(const std::string& text, const std::string& source) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  Botan::secure_vector<std::uint8_t> bytes;
  try {
    bytes = Botan::base64_decode(trimmed);
  } catch (const std::exception&) {
    throw std::runtime_error(source + ": expected base64 of 32 bytes (not valid base64)");
  }
  if (bytes.size() != 32)
    throw std::runtime_error(source + ": expected base64 of 32 bytes, got " + std::to_string(bytes.size()) + " bytes");
  return from_bytes(std::move(bytes));
}

MasterKey MasterKey::generate() { return from_bytes(Botan::system_rng().random_vec(32)); }

std::string MasterKey::to_base64() const { return Botan::base64_encode(bytes); }

fs::path master_key_path(const fs::path& data_dir) { return data_dir / "master.key"; }
fs::path next_master_key_path(const fs::path& data_dir) { return data_dir / "master.key.next"; }

void write_key_file(const fs::path& path, const MasterKey& key) {
  fs::path tmp = path;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(tmp.string() + ": cannot create key file");
  std::string text = key.to_base64() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(path.string() + ": cannot write key file");
  }
}

namespace {

MasterKey read_key_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error(path.string() + ": cannot stat key file");
  if (st.st_mode & 077)
    throw std::runtime_error(path.string() + ": key file is readable by group or others; chmod 600 it");
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return MasterKey::from_base64(buf.str(), path.string());
}

}  // namespace

MasterKey load_or_create_master_key(const std::string& env_base64, const fs::path& data_dir) {
  if (!env_base64.empty()) return MasterKey::from_base64(env_base64, "AMBIT_MASTER_KEY");
  fs::path path = master_key_path(data_dir);
  if (fs::exists(path)) return read_key_file(path);
  fs::create_directories(data_dir);
  MasterKey key = MasterKey::generate();
  write_key_file(path, key);
  return key;
}

std::optional<MasterKey> load_next_master_key(const fs::path& data_dir) {
  fs::path path = next_master_key_path(data_dir);
  if (!fs::exists(path)) return std::nullopt;
  return read_key_file(path);
}

}  // namespace ambit::kernel
