#pragma once
// Verifies API client keys for attestation services without a database
// round trip: a key's owner (client, policies) stays in memory, keyed by the
// key's keyring HMAC, until an event says the client changed.
#include <memory>
#include <string>
#include <string_view>

#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"

namespace attestation {

inline constexpr const char* kClientChangedTopic = "attestation-clients.changed";  ///< payload: the client id
inline constexpr const char* kKeyPurpose = "attestation-clients";                  ///< keyring purpose of keys

class Verifier {
 public:
  Verifier(ambit::sdk::Context& ctx, const Config& config, Store& store);

  /// The client `key` belongs to, or null. On a cache miss it calls
  /// req.will_block() before reading the database.
  std::shared_ptr<const KeyOwner> find(const ambit::sdk::Request& req, std::string_view key);
  /// The keyring HMAC a key is stored and looked up by.
  std::string key_mac(std::string_view key);

  void forget_client(std::string_view client_id);
  void clear();

 private:
  ambit::sdk::Context& ctx_;
  Store& store_;
  ambit::sdk::InvalidatingCache<KeyOwner> owners_;
};

}  // namespace attestation
