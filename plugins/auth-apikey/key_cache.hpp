#pragma once
// Verified keys in memory (sdk::CredentialKit), so a valid key costs no
// database round trip. Entries are dropped when a key is revoked or rotated
// (kKeyChangedTopic) or its owner's membership changes (the identity
// event), in this process at once and in others sharing PostgreSQL on commit.

#include "ambit/sdk/credential_kit.hpp"
#include "store.hpp"

namespace apikey {

inline constexpr const char* kKeyChangedTopic = "auth-apikey.key";

using KeyKit = ambit::sdk::CredentialKit<KeyRecord>;

}  // namespace apikey
