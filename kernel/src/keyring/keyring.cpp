#include "keyring/keyring.hpp"

#include <botan/aead.h>
#include <botan/base64.h>
#include <botan/hex.h>
#include <botan/kdf.h>
#include <botan/mac.h>
#include <botan/system_rng.h>
#include <soci/soci.h>

#include <stdexcept>

namespace ambit::kernel {
namespace {

constexpr std::size_t kNonceSize = 12;

std::string wrap_aad(const std::string& id, const std::string& purpose) {
  return "ambit data key\n" + id + "\n" + purpose;
}

std::string seal_aad(std::string_view purpose, std::string_view aad) {
  std::string out(purpose);
  out += '\0';
  out += aad;
  return out;
}

}  // namespace

std::vector<std::uint8_t> aes_gcm_seal(const Botan::secure_vector<std::uint8_t>& key, std::string_view plaintext,
                                       std::string_view aad) {
  auto mode = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::ENCRYPTION);
  mode->set_key(key);
  mode->set_associated_data(reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size());
  auto nonce_sv = Botan::system_rng().random_vec(kNonceSize);
  std::vector<std::uint8_t> nonce(nonce_sv.begin(), nonce_sv.end());
  mode->start(nonce);
  Botan::secure_vector<std::uint8_t> buf(plaintext.begin(), plaintext.end());
  mode->finish(buf);
  std::vector<std::uint8_t> out(nonce.size() + buf.size());
  std::copy(nonce.begin(), nonce.end(), out.begin());
  std::copy(buf.begin(), buf.end(), out.begin() + static_cast<std::ptrdiff_t>(nonce.size()));
  return out;
}

Botan::secure_vector<std::uint8_t> aes_gcm_open(const Botan::secure_vector<std::uint8_t>& key,
                                                const std::vector<std::uint8_t>& sealed, std::string_view aad) {
  auto mode = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::DECRYPTION);
  if (sealed.size() < kNonceSize + mode->tag_size()) throw std::runtime_error("sealed value is truncated");
  mode->set_key(key);
  mode->set_associated_data(reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size());
  mode->start(sealed.data(), kNonceSize);
  Botan::secure_vector<std::uint8_t> buf(sealed.begin() + kNonceSize, sealed.end());
  try {
    mode->finish(buf);
  } catch (const Botan::Invalid_Authentication_Tag&) {
    throw std::runtime_error("sealed value failed authentication (altered, wrong key or wrong associated data)");
  }
  return buf;
}

Keyring::Keyring(sdk::Database& db, std::vector<MasterKey> masters, const sdk::Clock& clock)
    : db_(db), masters_(std::move(masters)), clock_(clock) {
  if (masters_.empty()) throw std::invalid_argument("keyring needs a master key");
}

const MasterKey& Keyring::master_by_kid(const std::string& kid) const {
  for (auto& m : masters_)
    if (m.kid == kid) return m;
  throw std::runtime_error("data keys are wrapped by master key " + kid + ", which is not configured (current: " +
                           masters_.front().kid + "); set AMBIT_MASTER_KEY or restore the key file");
}

Keyring::DataKey Keyring::unwrap(const std::string& id, const std::string& purpose, const std::string& wrapped,
                                 const std::string& master_kid) const {
  const MasterKey& master = master_by_kid(master_kid);
  auto bytes = Botan::base64_decode(wrapped);
  auto key = aes_gcm_open(master.bytes, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), wrap_aad(id, purpose));
  return DataKey{id, purpose, std::move(key)};
}

const Keyring::DataKey& Keyring::key_for_purpose(std::string_view purpose) {
  {
    std::shared_lock lock(mu_);
    if (auto it = by_purpose_.find(purpose); it != by_purpose_.end()) return it->second;
  }
  std::string p(purpose);
  std::string id, wrapped, kid;
  auto load = [&](soci::session& s) {
    soci::indicator ind = soci::i_null;
    s << "SELECT id, wrapped, master_kid FROM ambit_data_keys WHERE purpose = :p", soci::use(p), soci::into(id),
        soci::into(wrapped), soci::into(kid, ind);
    return s.got_data();
  };
  db_.transaction([&](soci::session& s) {
    if (load(s)) return;
    // First use of this purpose: mint a data key. ON CONFLICT keeps the one a
    // concurrent process may have inserted first.
    std::string new_id = "dk-" + Botan::hex_encode(Botan::system_rng().random_vec(8), false);
    auto key = Botan::system_rng().random_vec(32);
    const MasterKey& master = masters_.front();
    auto sealed = aes_gcm_seal(master.bytes, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                               wrap_aad(new_id, p));
    std::string w = Botan::base64_encode(sealed);
    std::int64_t now = clock_.now_ms();
    s << "INSERT INTO ambit_data_keys (id, purpose, wrapped, master_kid, created_at) VALUES (:i, :p, :w, :k, :t)"
         " ON CONFLICT (purpose) DO NOTHING",
        soci::use(new_id), soci::use(p), soci::use(w), soci::use(master.kid), soci::use(now);
    load(s);
  });
  DataKey dk = unwrap(id, p, wrapped, kid);
  std::unique_lock lock(mu_);
  by_id_.emplace(dk.id, dk);
  return by_purpose_.emplace(p, std::move(dk)).first->second;
}

const Keyring::DataKey& Keyring::key_by_id(const std::string& id) {
  {
    std::shared_lock lock(mu_);
    if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  }
  std::string purpose, wrapped, kid;
  {
    auto s = db_.session();
    *s << "SELECT purpose, wrapped, master_kid FROM ambit_data_keys WHERE id = :i", soci::use(id),
        soci::into(purpose), soci::into(wrapped), soci::into(kid);
    if (!s->got_data()) throw std::runtime_error("sealed value names an unknown data key");
  }
  DataKey dk = unwrap(id, purpose, wrapped, kid);
  std::unique_lock lock(mu_);
  return by_id_.emplace(id, std::move(dk)).first->second;
}

std::string Keyring::seal(std::string_view purpose, std::string_view plaintext, std::string_view aad) {
  const DataKey& dk = key_for_purpose(purpose);
  auto sealed = aes_gcm_seal(dk.key, plaintext, seal_aad(purpose, aad));
  return "v1." + dk.id + "." + Botan::base64_encode(sealed);
}

std::string Keyring::open(std::string_view purpose, std::string_view sealed, std::string_view aad) {
  if (sealed.substr(0, 3) != "v1.") throw std::runtime_error("sealed value has an unknown format");
  auto dot = sealed.find('.', 3);
  if (dot == std::string_view::npos) throw std::runtime_error("sealed value has an unknown format");
  std::string id(sealed.substr(3, dot - 3));
  const DataKey& dk = key_by_id(id);
  if (dk.purpose != purpose) throw std::runtime_error("sealed value belongs to another purpose");
  Botan::secure_vector<std::uint8_t> raw;
  try {
    raw = Botan::base64_decode(std::string(sealed.substr(dot + 1)));
  } catch (const std::exception&) {
    throw std::runtime_error("sealed value is not valid base64");
  }
  auto plain = aes_gcm_open(dk.key, std::vector<std::uint8_t>(raw.begin(), raw.end()), seal_aad(purpose, aad));
  return std::string(plain.begin(), plain.end());
}

std::vector<std::uint8_t> Keyring::derive_key(std::string_view purpose, std::string_view label, std::size_t length) {
  const DataKey& dk = key_for_purpose(purpose);
  auto kdf = Botan::KDF::create_or_throw("HKDF(SHA-256)");
  const std::string salt = "ambit keyring derive";
  auto out = kdf->derive_key(length, dk.key.data(), dk.key.size(), reinterpret_cast<const std::uint8_t*>(salt.data()),
                             salt.size(), reinterpret_cast<const std::uint8_t*>(label.data()), label.size());
  return std::vector<std::uint8_t>(out.begin(), out.end());
}

std::string Keyring::mac(std::string_view purpose, std::string_view data) {
  // A keyed HMAC object per thread and purpose: this runs on every API-key
  // request, so no lookup by algorithm name, no key schedule, no lock.
  struct Keyed {
    std::uint64_t owner;  // instance id, not address: a later Keyring may reuse it
    std::unique_ptr<Botan::MessageAuthenticationCode> hmac;
  };
  thread_local std::map<std::string, Keyed, std::less<>> per_thread;
  auto it = per_thread.find(purpose);
  if (it == per_thread.end() || it->second.owner != instance_id_) {
    auto hmac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
    hmac->set_key(derive_key(purpose, "ambit mac key", 32));
    it = per_thread.insert_or_assign(std::string(purpose), Keyed{instance_id_, std::move(hmac)}).first;
  }
  auto& hmac = *it->second.hmac;
  hmac.update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  std::uint8_t out[32];
  hmac.final(out);
  return Botan::hex_encode(out, sizeof out, false);
}

std::string Keyring::random_bytes(std::size_t n) {
  auto bytes = Botan::system_rng().random_vec(n);
  return std::string(bytes.begin(), bytes.end());
}

int Keyring::rewrap_all(const MasterKey& next) {
  int count = 0;
  db_.transaction([&](soci::session& s) {
    struct Row { std::string id, purpose, wrapped, kid; };
    std::vector<Row> rows;
    soci::rowset<soci::row> rs = s.prepare << "SELECT id, purpose, wrapped, master_kid FROM ambit_data_keys";
    for (auto& r : rs) rows.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3)});
    for (auto& row : rows) {
      if (row.kid == next.kid) continue;
      DataKey dk = unwrap(row.id, row.purpose, row.wrapped, row.kid);
      auto sealed = aes_gcm_seal(next.bytes, std::string_view(reinterpret_cast<const char*>(dk.key.data()), dk.key.size()),
                                 wrap_aad(row.id, row.purpose));
      std::string w = Botan::base64_encode(sealed);
      s << "UPDATE ambit_data_keys SET wrapped = :w, master_kid = :k WHERE id = :i", soci::use(w), soci::use(next.kid),
          soci::use(row.id);
      ++count;
    }
  });
  masters_.insert(masters_.begin(), next);
  return count;
}

}  // namespace ambit::kernel
