#pragma once
// SQL for the attestation tables; the only file that knows them. Every query
// is scoped by tenant: another tenant's rows are never found.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/paging.hpp"

namespace attestation {

struct Tag {
  std::string key;
  std::string value;
};

struct ClientRow {
  std::string id, tenant_id, service_id, product_id, name, status;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// A client's policies and tags, each in the order they were given.
struct ClientCollections {
  std::vector<std::string> policy_ids;
  std::vector<Tag> tags;
};

struct SealedKey {
  std::string mac;     ///< keyring HMAC of the key: the lookup
  std::string sealed;  ///< keyring AES-GCM of the key: what GET shows
};

struct PolicyRow {
  std::string id, tenant_id, service_id, name, policy;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct Subscription {
  std::string product_id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// What verification needs of the client a key belongs to.
struct KeyOwner {
  ClientRow client;
  std::vector<std::string> policy_ids;
};

class Store {
 public:
  // --- subscriptions ---------------------------------------------------------
  std::optional<Subscription> subscription(soci::session& s, const std::string& tenant, const std::string& service);
  void save_subscription(soci::session& tx, const std::string& tenant, const std::string& service,
                         const Subscription& sub);
  /// Moves the tenant's clients of `service` on product `from` to `to`; returns their ids.
  std::vector<std::string> move_clients(soci::session& tx, const std::string& tenant, const std::string& service,
                                        const std::string& from, const std::string& to, std::int64_t now);

  // --- policies --------------------------------------------------------------
  void insert_policy(soci::session& tx, const PolicyRow& p);
  std::optional<PolicyRow> find_policy(soci::session& s, const std::string& tenant, const std::string& id);
  bool policy_name_taken(soci::session& s, const std::string& tenant, const std::string& name);
  /// Up to `fetch` policies ordered by creation (created_at, then id), after
  /// `after` in that order; `service` filters when not empty.
  std::vector<PolicyRow> list_policies(soci::session& s, const std::string& tenant, const std::string& service,
                                       const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  /// The ids of the clients a policy is attached to.
  std::vector<std::string> clients_using(soci::session& s, const std::string& policy_id);
  void delete_policy(soci::session& tx, const std::string& id);

  // --- clients ---------------------------------------------------------------
  void insert_client(soci::session& tx, const ClientRow& c, const std::vector<SealedKey>& keys,
                     const ClientCollections& collections);
  /// Name, product, status and updated_at, and both collections replaced.
  void update_client(soci::session& tx, const ClientRow& c, const ClientCollections& collections);
  void delete_client(soci::session& tx, const std::string& id);
  std::optional<ClientRow> find_client(soci::session& s, const std::string& tenant, const std::string& service,
                                       const std::string& id);
  /// Up to `fetch` clients ordered by creation (created_at, then id), after
  /// `after` in that order; `product_ids` filters when not null.
  std::vector<ClientRow> list_clients(soci::session& s, const std::string& tenant, const std::string& service,
                                      const std::vector<std::string>* product_ids,
                                      const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  ClientCollections collections(soci::session& s, const std::string& client_id);
  /// Sealed keys in position order.
  std::vector<std::string> sealed_keys(soci::session& s, const std::string& client_id);
  std::optional<KeyOwner> key_owner(soci::session& s, const std::string& key_mac);
};

}  // namespace attestation
