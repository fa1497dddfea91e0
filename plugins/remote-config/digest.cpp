#include "digest.hpp"

#include <botan/hash.h>
#include <botan/hex.h>

#include <memory>

namespace remote_config {

Digest sha256(std::initializer_list<std::string_view> parts) {
  thread_local std::unique_ptr<Botan::HashFunction> sha = Botan::HashFunction::create_or_throw("SHA-256");
  for (auto p : parts) sha->update(reinterpret_cast<const std::uint8_t*>(p.data()), p.size());
  Digest out;
  sha->final(out.data());
  return out;
}

std::string hex(const std::uint8_t* data, std::size_t size) { return Botan::hex_encode(data, size, false); }

}  // namespace remote_config
