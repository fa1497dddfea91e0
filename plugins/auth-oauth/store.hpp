#pragma once
// SQL for the oauth tables; the only file that knows them.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/paging.hpp"

namespace oauth {

struct ClientRecord {
  std::string id;
  std::string tenant_id;  ///< "" while the client is bound to no tenant
  std::string name;
  std::vector<std::string> redirect_uris;
  std::string auth_method;  ///< none | client_secret_post | client_secret_basic
  std::vector<std::string> grant_types;
  std::string scope;        ///< space-separated; the most the client may ask for
  std::string secret_hash;  ///< "" for public clients
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> authorized_at;  ///< the first approval; null: never authorized

  bool confidential() const { return auth_method != "none"; }
};

/// Which clients an operator's purge selects: every condition set must hold.
struct ClientFilter {
  bool anonymous = false;                     ///< bound to no tenant
  bool never_authorized = false;              ///< no grant was ever issued to it
  std::optional<std::int64_t> unused_before;  ///< no token issued (or, never used, registered) since
  std::vector<std::string> ids;               ///< only these; empty: any

  bool selects_any() const { return anonymous || never_authorized || unused_before || !ids.empty(); }
};

struct GrantRecord {
  std::string id, client_id, tenant_id, user_id, scope;
  std::int64_t created_at = 0;
  std::string resource;  ///< RFC 8707, canonical; "" for none in particular
};

struct CodeRecord {
  std::string grant_id, client_id, redirect_uri, code_challenge;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

struct TokenRecord {
  std::string kind;  ///< access | refresh
  std::string grant_id, client_id, scope;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> used_at;
  std::optional<std::int64_t> reused_at;  ///< refresh tokens: the one reuse its grace allowed
  // From the grant:
  std::string tenant_id, user_id;
  std::int64_t grant_created_at = 0;
  std::string resource;  ///< the grant's (the token's audience); "" for none
};

class Store {
 public:
  // --- clients -----------------------------------------------------------------
  void insert_client(soci::session& tx, const ClientRecord& c);
  std::optional<ClientRecord> find_client(soci::session& s, const std::string& id);
  /// Up to `fetch` clients bound to `tenant_id`, oldest first (created_at,
  /// then id), after `after` in that order.
  std::vector<ClientRecord> tenant_clients(soci::session& s, const std::string& tenant_id,
                                           const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  /// Clients bound to `tenant_id`; "" counts the anonymous ones (bound to no tenant).
  std::size_t count_clients(soci::session& s, const std::string& tenant_id);
  void touch_client(soci::session& tx, const std::string& id, std::int64_t now);
  /// Records the client's first approval (later ones change nothing).
  void mark_authorized(soci::session& tx, const std::string& id, std::int64_t now);
  /// The client, its grants, codes and tokens, when it (still) matches
  /// `still` (checked in the DELETE itself); false when nothing was deleted.
  bool delete_client(soci::session& tx, const std::string& id, const ClientFilter& still = {});
  /// The ids of the clients `f` selects, oldest first.
  std::vector<std::string> matching_clients(soci::session& s, const ClientFilter& f);
  /// Clients without a single grant, registered and not used since before
  /// `before` (registrations nobody completed): their ids.
  std::vector<std::string> idle_clients(soci::session& s, std::int64_t before);
  /// Deletes codes past their expiry, access tokens past theirs, and used
  /// refresh tokens used before `used_before`.
  void prune(soci::session& tx, std::int64_t now, std::int64_t used_before);

  // --- grants --------------------------------------------------------------------
  void insert_grant(soci::session& tx, const GrantRecord& g);
  std::optional<GrantRecord> find_grant(soci::session& s, const std::string& id);
  /// Up to `fetch` grants of `tenant_id`, oldest first (created_at, then
  /// id), after `after` in that order.
  std::vector<GrantRecord> tenant_grants(soci::session& s, const std::string& tenant_id,
                                         const std::optional<ambit::sdk::TimeIdKey>& after, int fetch);
  /// The grant with its codes and tokens.
  void delete_grant(soci::session& tx, const std::string& id);
  /// Binds a grant issued for no resource to `resource` (at its code
  /// exchange); false when it had one already.
  bool bind_resource(soci::session& tx, const std::string& grant_id, const std::string& resource);
  /// The grant's resource ("" for none), nullopt when there is no such grant.
  std::optional<std::string> grant_resource(soci::session& s, const std::string& grant_id);

  // --- codes and tokens ------------------------------------------------------------
  void insert_code(soci::session& tx, const std::string& hash, const CodeRecord& c);
  std::optional<CodeRecord> find_code(soci::session& s, const std::string& hash);
  /// true when this call marked it used (false: used before).
  bool use_code(soci::session& tx, const std::string& hash, std::int64_t now);
  void insert_token(soci::session& tx, const std::string& hash, const TokenRecord& t);
  std::optional<TokenRecord> find_token(soci::session& s, const std::string& hash);
  /// true when this call marked the refresh token used (false: used before).
  bool use_token(soci::session& tx, const std::string& hash, std::int64_t now);
  /// true when this call took the one reuse a refresh token used at or after
  /// `used_since` is allowed (false: not used, used earlier, or reused before).
  bool reuse_token(soci::session& tx, const std::string& hash, std::int64_t now, std::int64_t used_since);
  void delete_token(soci::session& tx, const std::string& hash);
};

}  // namespace oauth
