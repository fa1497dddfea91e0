#pragma once
// The master key: 32 bytes from AMBIT_MASTER_KEY (base64) or from
// <data_dir>/master.key, created 0600 on first start. It only wraps data keys.

#include <botan/secmem.h>

#include <filesystem>
#include <optional>
#include <string>

namespace ambit::kernel {

struct MasterKey {
  Botan::secure_vector<std::uint8_t> bytes;
  std::string kid;  ///< public id: hex prefix of SHA-256 over a label and the key
  static MasterKey from_bytes(Botan::secure_vector<std::uint8_t> bytes);
  static MasterKey from_base64(const std::string& text, const std::string& source);  // throws
  static MasterKey generate();
  std::string to_base64() const;
};

/// The key file path inside a data dir.
std::filesystem::path master_key_path(const std::filesystem::path& data_dir);
/// Where a rotation stages the next key until the database switched to it.
std::filesystem::path next_master_key_path(const std::filesystem::path& data_dir);

/// AMBIT_MASTER_KEY when given, else the key file (created when missing).
/// Refuses a key file readable by group or others.
MasterKey load_or_create_master_key(const std::string& env_base64, const std::filesystem::path& data_dir);
/// A staged next key left by an interrupted rotation, if any.
std::optional<MasterKey> load_next_master_key(const std::filesystem::path& data_dir);

/// Write a key file atomically with mode 0600.
void write_key_file(const std::filesystem::path& path, const MasterKey& key);

}  // namespace ambit::kernel
