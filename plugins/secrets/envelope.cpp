#include "envelope.hpp"

#include <botan/aead.h>
#include <botan/base64.h>
#include <botan/system_rng.h>

#include <stdexcept>

namespace secrets {
namespace {

constexpr std::size_t kNonce = 12;
constexpr const char* kPurpose = "secrets";

}  // namespace

DataKey new_data_key(ambit::sdk::Keyring& keyring) {
  std::string bytes = keyring.random_bytes(32);
  return DataKey(bytes.begin(), bytes.end());
}

std::string wrap_data_key(ambit::sdk::Keyring& keyring, const DataKey& key, const std::string& project_id) {
  return keyring.seal(kPurpose, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                      "project data key\n" + project_id);
}

DataKey unwrap_data_key(ambit::sdk::Keyring& keyring, const std::string& wrapped, const std::string& project_id) {
  std::string key = keyring.open(kPurpose, wrapped, "project data key\n" + project_id);
  if (key.size() != 32) throw std::runtime_error("a project data key has the wrong size");
  return DataKey(key.begin(), key.end());
}

std::string value_aad(std::string_view project_id, std::string_view function, std::string_view name, int version) {
  std::string aad = "secret\n";
  aad.append(project_id).append("\n").append(function).append("\n").append(name).append("\n");
  aad += std::to_string(version);
  return aad;
}

std::string seal_value(const DataKey& key, std::string_view plaintext, std::string_view aad) {
  auto enc = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::ENCRYPTION);
  enc->set_key(key.data(), key.size());
  enc->set_associated_data(reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size());
  std::vector<std::uint8_t> nonce(kNonce);
  Botan::system_rng().randomize(nonce.data(), nonce.size());
  Botan::secure_vector<std::uint8_t> buf(plaintext.begin(), plaintext.end());
  enc->start(nonce);
  enc->finish(buf);
  std::vector<std::uint8_t> out(nonce);
  out.insert(out.end(), buf.begin(), buf.end());
  return "v1." + Botan::base64_encode(out);
}

std::string open_value(const DataKey& key, std::string_view sealed, std::string_view aad) {
  if (sealed.substr(0, 3) != "v1.") throw std::runtime_error("unknown ciphertext format");
  Botan::secure_vector<std::uint8_t> raw;
  try {
    raw = Botan::base64_decode(std::string(sealed.substr(3)));
  } catch (const std::exception&) {
    throw std::runtime_error("the ciphertext is not valid base64");
  }
  if (raw.size() < kNonce + 16) throw std::runtime_error("the ciphertext is truncated");
  auto dec = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::DECRYPTION);
  dec->set_key(key.data(), key.size());
  dec->set_associated_data(reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size());
  dec->start(raw.data(), kNonce);
  Botan::secure_vector<std::uint8_t> buf(raw.begin() + kNonce, raw.end());
  try {
    dec->finish(buf);
  } catch (const std::exception&) {
    throw std::runtime_error("the ciphertext failed authentication (altered, or moved from another row)");
  }
  return std::string(buf.begin(), buf.end());
}

}  // namespace secrets
