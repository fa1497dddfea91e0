#include "store.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace apikey {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, user_id, name, key_prefix, scopes, scope_mode, environment, created_at, expires_at, revoked_at,"
    " last_used_at, rotated_to";

std::optional<std::int64_t> optional_ms(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<long long>(i);
}

KeyRecord from_row(const soci::row& r) {
  KeyRecord k;
  k.id = r.get<std::string>(0);
  k.tenant_id = r.get<std::string>(1);
  k.user_id = r.get<std::string>(2);
  k.name = r.get<std::string>(3);
  k.key_prefix = r.get<std::string>(4);
  boost::json::value scopes = boost::json::parse(r.get<std::string>(5));
  for (auto& s : scopes.as_array()) k.scopes.emplace_back(s.as_string());
  std::sort(k.scopes.begin(), k.scopes.end());
  k.scope_mode = r.get<std::string>(6);
  k.environment = r.get<std::string>(7);
  k.created_at = r.get<long long>(8);
  k.expires_at = optional_ms(r, 9);
  k.revoked_at = optional_ms(r, 10);
  k.last_used_at = optional_ms(r, 11);
  if (r.get_indicator(12) != soci::i_null) k.rotated_to = r.get<std::string>(12);
  return k;
}

}  // namespace

void Store::insert(soci::session& tx, const KeyRecord& k, const std::string& key_hash) {
  boost::json::array scopes;
  for (auto& s : k.scopes) scopes.push_back(boost::json::string(s));
  std::string scopes_text = boost::json::serialize(scopes);
  std::int64_t expires = k.expires_at.value_or(0);
  soci::indicator expires_ind = k.expires_at ? soci::i_ok : soci::i_null;
  tx << "INSERT INTO apikey_keys (id, tenant_id, user_id, name, key_hash, key_prefix, scopes, scope_mode, environment,"
        " created_at, expires_at) VALUES (:id, :t, :u, :n, :h, :p, :s, :m, :e, :c, :x)",
      soci::use(k.id), soci::use(k.tenant_id), soci::use(k.user_id), soci::use(k.name), soci::use(key_hash),
      soci::use(k.key_prefix), soci::use(scopes_text), soci::use(k.scope_mode), soci::use(k.environment),
      soci::use(k.created_at), soci::use(expires, expires_ind);
}

std::optional<KeyRecord> Store::find_by_hash(const std::string& key_hash) {
  auto s = db().session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " << kColumns << " FROM apikey_keys WHERE key_hash = :h", soci::use(key_hash));
  for (auto& r : rows) return from_row(r);
  return std::nullopt;
}

std::optional<KeyRecord> Store::find(const std::string& tenant_id, const std::string& id, soci::session* tx) {
  auto run = [&](soci::session& s) -> std::optional<KeyRecord> {
    soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kColumns
                                              << " FROM apikey_keys WHERE tenant_id = :t AND id = :i",
                                    soci::use(tenant_id), soci::use(id));
    for (auto& r : rows) return from_row(r);
    return std::nullopt;
  };
  if (tx) return run(*tx);
  auto s = db().session();
  return run(*s);
}

std::vector<KeyRecord> Store::list(const std::string& tenant_id, const std::string& user_id,
                                  const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  auto s = db().session();
  std::vector<KeyRecord> out;
  ambit::sdk::TimeIdAfter k(after, ambit::sdk::Order::newest_first);
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " << kColumns
                  << " FROM apikey_keys WHERE tenant_id = :t AND (:u = '' OR user_id = :u2) AND " << k.sql()
                  << " ORDER BY " << k.order_by() << " LIMIT :n",
       soci::use(tenant_id), soci::use(user_id), soci::use(user_id), soci::use(k.first), soci::use(k.at),
       soci::use(k.at), soci::use(k.id), soci::use(fetch));
  for (auto& r : rows) out.push_back(from_row(r));
  return out;
}

void Store::revoke(soci::session& tx, const std::string& id, std::int64_t at, const std::string& rotated_to) {
  soci::indicator rotated_ind = rotated_to.empty() ? soci::i_null : soci::i_ok;
  // An earlier revocation time wins (revoking during a grace window ends it now).
  tx << "UPDATE apikey_keys SET revoked_at = CASE WHEN revoked_at IS NULL OR revoked_at > :a THEN :a2"
        " ELSE revoked_at END, rotated_to = COALESCE(:r, rotated_to) WHERE id = :i",
      soci::use(at), soci::use(at), soci::use(rotated_to, rotated_ind), soci::use(id);
}

void Store::touch(const std::map<std::string, std::int64_t>& last_used) {
  if (last_used.empty()) return;
  db().transaction([&](soci::session& tx) {
    for (auto& [id, at] : last_used)
      tx << "UPDATE apikey_keys SET last_used_at = :a WHERE id = :i AND (last_used_at IS NULL OR last_used_at < :a2)",
          soci::use(at), soci::use(id), soci::use(at);
  });
}

}  // namespace apikey
