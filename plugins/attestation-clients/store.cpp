#include "store.hpp"

#include <algorithm>

namespace attestation {
namespace {

constexpr const char* kClientColumns = "id, tenant_id, service_id, product_id, name, status, created_at, updated_at";
constexpr const char* kPolicyColumns = "id, tenant_id, service_id, name, policy, created_at, updated_at";
/// " AND product_id IN (:p0, :p1, ...)" for `n` ids.
std::string product_filter(std::size_t n) {
  std::string sql = " AND product_id IN (";
  for (std::size_t i = 0; i < n; ++i) sql += (i ? ", :p" : ":p") + std::to_string(i);
  return sql + ")";
}

ClientRow client_from(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
          r.get<std::string>(4), r.get<std::string>(5), r.get<long long>(6),   r.get<long long>(7)};
}

PolicyRow policy_from(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
          r.get<std::string>(4), r.get<long long>(5),   r.get<long long>(6)};
}

void insert_collections(soci::session& tx, const std::string& client_id, const ClientCollections& c) {
  for (std::size_t i = 0; i < c.policy_ids.size(); ++i) {
    int position = static_cast<int>(i);
    tx << "INSERT INTO attestation_client_policies (client_id, position, policy_id) VALUES (:c, :p, :id)",
        soci::use(client_id), soci::use(position), soci::use(c.policy_ids[i]);
  }
  for (std::size_t i = 0; i < c.tags.size(); ++i) {
    int position = static_cast<int>(i);
    tx << "INSERT INTO attestation_client_tags (client_id, position, tag_key, tag_value) VALUES (:c, :p, :k, :v)",
        soci::use(client_id), soci::use(position), soci::use(c.tags[i].key), soci::use(c.tags[i].value);
  }
}

std::vector<std::string> policy_ids_of(soci::session& s, const std::string& client_id) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT policy_id FROM attestation_client_policies WHERE client_id = :c ORDER BY position",
       soci::use(client_id));
  for (auto& id : rows) out.push_back(id);
  return out;
}

}  // namespace

// --- subscriptions -------------------------------------------------------------

std::optional<Subscription> Store::subscription(soci::session& s, const std::string& tenant,
                                                const std::string& service) {
  Subscription sub;
  long long created = 0, updated = 0;
  s << "SELECT product_id, created_at, updated_at FROM attestation_subscriptions"
       " WHERE tenant_id = :t AND service_id = :s",
      soci::use(tenant), soci::use(service), soci::into(sub.product_id), soci::into(created), soci::into(updated);
  if (!s.got_data()) return std::nullopt;
  sub.created_at = created;
  sub.updated_at = updated;
  return sub;
}

void Store::save_subscription(soci::session& tx, const std::string& tenant, const std::string& service,
                              const Subscription& sub) {
  tx << "DELETE FROM attestation_subscriptions WHERE tenant_id = :t AND service_id = :s", soci::use(tenant),
      soci::use(service);
  tx << "INSERT INTO attestation_subscriptions (tenant_id, service_id, product_id, created_at, updated_at)"
        " VALUES (:t, :s, :p, :c, :u)",
      soci::use(tenant), soci::use(service), soci::use(sub.product_id), soci::use(sub.created_at),
      soci::use(sub.updated_at);
}

std::vector<std::string> Store::move_clients(soci::session& tx, const std::string& tenant, const std::string& service,
                                             const std::string& from, const std::string& to, std::int64_t now) {
  std::vector<std::string> ids;
  {
    soci::rowset<std::string> rows =
        (tx.prepare << "SELECT id FROM attestation_clients WHERE tenant_id = :t AND service_id = :s AND product_id = :p",
         soci::use(tenant), soci::use(service), soci::use(from));
    for (auto& id : rows) ids.push_back(id);
  }
  tx << "UPDATE attestation_clients SET product_id = :to, updated_at = :u"
        " WHERE tenant_id = :t AND service_id = :s AND product_id = :p",
      soci::use(to), soci::use(now), soci::use(tenant), soci::use(service), soci::use(from);
  return ids;
}

// --- policies ------------------------------------------------------------------

void Store::insert_policy(soci::session& tx, const PolicyRow& p) {
  tx << "INSERT INTO attestation_policies (" << kPolicyColumns << ") VALUES (:i, :t, :s, :n, :p, :c, :u)",
      soci::use(p.id), soci::use(p.tenant_id), soci::use(p.service_id), soci::use(p.name), soci::use(p.policy),
      soci::use(p.created_at), soci::use(p.updated_at);
}

std::optional<PolicyRow> Store::find_policy(soci::session& s, const std::string& tenant, const std::string& id) {
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kPolicyColumns
                                            << " FROM attestation_policies WHERE tenant_id = :t AND id = :i",
                                  soci::use(tenant), soci::use(id));
  for (auto& r : rows) return policy_from(r);
  return std::nullopt;
}

bool Store::policy_name_taken(soci::session& s, const std::string& tenant, const std::string& name) {
  int n = 0;
  s << "SELECT COUNT(*) FROM attestation_policies WHERE tenant_id = :t AND name = :n", soci::use(tenant),
      soci::use(name), soci::into(n);
  return n > 0;
}

std::vector<PolicyRow> Store::list_policies(soci::session& s, const std::string& tenant, const std::string& service,
                                            const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  int all = service.empty() ? 1 : 0;
  ambit::sdk::TimeIdAfter k(after);
  std::vector<PolicyRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kPolicyColumns
                 << " FROM attestation_policies WHERE tenant_id = :t AND (:all = 1 OR service_id = :s) AND " << k.sql()
                 << " ORDER BY created_at, id LIMIT :n",
       soci::use(tenant), soci::use(all), soci::use(service), soci::use(k.first), soci::use(k.at), soci::use(k.at),
       soci::use(k.id), soci::use(fetch));
  for (auto& r : rows) out.push_back(policy_from(r));
  return out;
}

std::vector<std::string> Store::clients_using(soci::session& s, const std::string& policy_id) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT DISTINCT client_id FROM attestation_client_policies WHERE policy_id = :p",
       soci::use(policy_id));
  for (auto& id : rows) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

void Store::delete_policy(soci::session& tx, const std::string& id) {
  tx << "DELETE FROM attestation_policies WHERE id = :i", soci::use(id);
}

// --- clients -------------------------------------------------------------------

void Store::insert_client(soci::session& tx, const ClientRow& c, const std::vector<SealedKey>& keys,
                          const ClientCollections& collections) {
  tx << "INSERT INTO attestation_clients (" << kClientColumns << ") VALUES (:i, :t, :s, :p, :n, :st, :c, :u)",
      soci::use(c.id), soci::use(c.tenant_id), soci::use(c.service_id), soci::use(c.product_id), soci::use(c.name),
      soci::use(c.status), soci::use(c.created_at), soci::use(c.updated_at);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    int position = static_cast<int>(i);
    tx << "INSERT INTO attestation_client_keys (key_mac, client_id, position, sealed) VALUES (:m, :c, :p, :s)",
        soci::use(keys[i].mac), soci::use(c.id), soci::use(position), soci::use(keys[i].sealed);
  }
  insert_collections(tx, c.id, collections);
}

void Store::update_client(soci::session& tx, const ClientRow& c, const ClientCollections& collections) {
  tx << "UPDATE attestation_clients SET product_id = :p, name = :n, status = :s, updated_at = :u WHERE id = :i",
      soci::use(c.product_id), soci::use(c.name), soci::use(c.status), soci::use(c.updated_at), soci::use(c.id);
  tx << "DELETE FROM attestation_client_policies WHERE client_id = :c", soci::use(c.id);
  tx << "DELETE FROM attestation_client_tags WHERE client_id = :c", soci::use(c.id);
  insert_collections(tx, c.id, collections);
}

void Store::delete_client(soci::session& tx, const std::string& id) {
  // Keys, policies and tags go with it (ON DELETE CASCADE).
  tx << "DELETE FROM attestation_clients WHERE id = :i", soci::use(id);
}

std::optional<ClientRow> Store::find_client(soci::session& s, const std::string& tenant, const std::string& service,
                                            const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kClientColumns
                 << " FROM attestation_clients WHERE tenant_id = :t AND service_id = :s AND id = :i",
       soci::use(tenant), soci::use(service), soci::use(id));
  for (auto& r : rows) return client_from(r);
  return std::nullopt;
}

std::vector<ClientRow> Store::list_clients(soci::session& s, const std::string& tenant, const std::string& service,
                                           const std::vector<std::string>* product_ids,
                                           const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  if (product_ids && product_ids->empty()) return {};
  ambit::sdk::TimeIdAfter k(after);
  // The filter is in the SQL, so that every page but the last is full.
  auto query = (s.prepare << "SELECT " << kClientColumns
                          << " FROM attestation_clients WHERE tenant_id = :t AND service_id = :s AND " << k.sql()
                          << (product_ids ? product_filter(product_ids->size()) : std::string())
                          << " ORDER BY created_at, id LIMIT :n");
  query, soci::use(tenant), soci::use(service), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id);
  if (product_ids)
    for (const auto& id : *product_ids) query, soci::use(id);
  query, soci::use(fetch);
  std::vector<ClientRow> out;
  soci::rowset<soci::row> rows(query);
  for (auto& r : rows) out.push_back(client_from(r));
  return out;
}

ClientCollections Store::collections(soci::session& s, const std::string& client_id) {
  ClientCollections c;
  c.policy_ids = policy_ids_of(s, client_id);
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT tag_key, tag_value FROM attestation_client_tags WHERE client_id = :c ORDER BY position",
       soci::use(client_id));
  for (auto& r : rows) c.tags.push_back({r.get<std::string>(0), r.get<std::string>(1)});
  return c;
}

std::vector<std::string> Store::sealed_keys(soci::session& s, const std::string& client_id) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT sealed FROM attestation_client_keys WHERE client_id = :c ORDER BY position",
       soci::use(client_id));
  for (auto& k : rows) out.push_back(k);
  return out;
}

std::optional<KeyOwner> Store::key_owner(soci::session& s, const std::string& key_mac) {
  std::optional<KeyOwner> owner;
  {
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT c.id, c.tenant_id, c.service_id, c.product_id, c.name, c.status, c.created_at,"
                      " c.updated_at FROM attestation_clients c JOIN attestation_client_keys k ON k.client_id = c.id"
                      " WHERE k.key_mac = :m",
         soci::use(key_mac));
    for (auto& r : rows) owner = KeyOwner{client_from(r), {}};
  }
  if (owner) owner->policy_ids = policy_ids_of(s, owner->client.id);
  return owner;
}

}  // namespace attestation
