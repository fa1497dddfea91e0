#include "verifier.hpp"

#include "ids.hpp"

namespace sdk = ambit::sdk;

namespace attestation {

Verifier::Verifier(sdk::Context& ctx, const Config& config, Store& store)
    : ctx_(ctx), store_(store), owners_(config.verify_cache_entries, 30000) {}

std::string Verifier::key_mac(std::string_view key) { return ctx_.keyring().mac(kKeyPurpose, key); }

std::shared_ptr<const KeyOwner> Verifier::find(const sdk::Request& req, std::string_view key) {
  if (!is_client_key(key)) return nullptr;
  // The map is searched by the key's HMAC, never by the key: how long a
  // lookup takes says nothing an attacker can use about stored keys.
  std::string mac = key_mac(key);
  std::int64_t now = ctx_.clock().now_ms();
  auto found = owners_.find(mac, now);
  if (found.kind == decltype(owners_)::Kind::hit) return found.value;
  if (found.kind == decltype(owners_)::Kind::absent) return nullptr;
  req.will_block();
  std::uint64_t generation = owners_.generation();
  auto owner = store_.key_owner(*ctx_.database().session(), mac);
  if (!owner) {
    owners_.put_absent(mac, now, generation);
    return nullptr;
  }
  auto value = std::make_shared<const KeyOwner>(std::move(*owner));
  owners_.put(mac, value, generation);
  return value;
}

void Verifier::forget_client(std::string_view client_id) {
  owners_.erase_if([&](const KeyOwner& o) { return o.client.id == client_id; });
}

void Verifier::clear() { owners_.clear(); }

}  // namespace attestation
