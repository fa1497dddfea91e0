#pragma once
// The kernel's sdk::Keyring: one AES-256 data key per purpose, stored wrapped
// by the master key in ambit_data_keys and cached unwrapped in memory.

#include <botan/secmem.h>

#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/keyring.hpp"
#include "db/soci_database.hpp"
#include "keyring/master_key.hpp"

namespace ambit::kernel {

class Keyring final : public sdk::Keyring {
 public:
  /// `masters`: the current key first, then any other key that may still wrap
  /// data keys (a staged rotation).
  Keyring(sdk::Database& db, std::vector<MasterKey> masters, const sdk::Clock& clock);

  std::string seal(std::string_view purpose, std::string_view plaintext, std::string_view aad) override;
  std::string open(std::string_view purpose, std::string_view sealed, std::string_view aad) override;
  std::vector<std::uint8_t> derive_key(std::string_view purpose, std::string_view label, std::size_t length) override;
  std::string mac(std::string_view purpose, std::string_view data) override;
  std::string random_bytes(std::size_t n) override;

  /// Create (or load) the purpose's data key now, outside any caller's transaction.
  void ensure(std::string_view purpose) { key_for_purpose(purpose); }
  /// Re-wrap every data key under `next` in one transaction. Returns how many.
  int rewrap_all(const MasterKey& next);

 private:
  struct DataKey {
    std::string id;
    std::string purpose;
    Botan::secure_vector<std::uint8_t> key;
  };
  const DataKey& key_for_purpose(std::string_view purpose);
  const DataKey& key_by_id(const std::string& id);
  DataKey unwrap(const std::string& id, const std::string& purpose, const std::string& wrapped,
                 const std::string& master_kid) const;
  const MasterKey& master_by_kid(const std::string& kid) const;

  static inline std::atomic<std::uint64_t> next_instance_id_{1};
  const std::uint64_t instance_id_ = next_instance_id_++;
  sdk::Database& db_;
  std::vector<MasterKey> masters_;
  const sdk::Clock& clock_;
  std::shared_mutex mu_;
  std::map<std::string, DataKey, std::less<>> by_purpose_;
  std::map<std::string, DataKey, std::less<>> by_id_;
};

/// AES-256-GCM with a random 96-bit nonce: returns nonce || ciphertext || tag.
std::vector<std::uint8_t> aes_gcm_seal(const Botan::secure_vector<std::uint8_t>& key, std::string_view plaintext,
                                       std::string_view aad);
/// Throws std::runtime_error when authentication fails.
Botan::secure_vector<std::uint8_t> aes_gcm_open(const Botan::secure_vector<std::uint8_t>& key,
                                                const std::vector<std::uint8_t>& sealed, std::string_view aad);

}  // namespace ambit::kernel
