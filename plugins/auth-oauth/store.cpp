#include "store.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace oauth {
namespace {

constexpr const char* kClientColumns =
    "id, tenant_id, name, redirect_uris, auth_method, grant_types, scope, secret_hash, created_at, last_used_at,"
    " authorized_at";

/// ClientFilter as SQL: each condition is on when its flag is 1 (bound in this order).
constexpr const char* kFilterConditions =
    " AND (:anon = 0 OR tenant_id IS NULL) AND (:never = 0 OR authorized_at IS NULL)"
    " AND (:idle = 0 OR COALESCE(last_used_at, created_at) < :before)";

struct FilterValues {
  int anonymous, never_authorized, idle;
  long long before;
  explicit FilterValues(const ClientFilter& f)
      : anonymous(f.anonymous ? 1 : 0), never_authorized(f.never_authorized ? 1 : 0),
        idle(f.unused_before ? 1 : 0), before(f.unused_before.value_or(0)) {}
};

std::string to_json(const std::vector<std::string>& list) {
  boost::json::array a;
  for (auto& s : list) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::vector<std::string> from_json(const std::string& text) {
  std::vector<std::string> out;
  boost::json::value parsed = boost::json::parse(text);  // held: never iterate a temporary's member
  for (auto& v : parsed.as_array()) out.emplace_back(v.as_string());
  return out;
}

std::optional<std::int64_t> optional_ms(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<long long>(i);
}

ClientRecord client_from(const soci::row& r) {
  ClientRecord c;
  c.id = r.get<std::string>(0);
  if (r.get_indicator(1) != soci::i_null) c.tenant_id = r.get<std::string>(1);
  c.name = r.get<std::string>(2);
  c.redirect_uris = from_json(r.get<std::string>(3));
  c.auth_method = r.get<std::string>(4);
  c.grant_types = from_json(r.get<std::string>(5));
  c.scope = r.get<std::string>(6);
  if (r.get_indicator(7) != soci::i_null) c.secret_hash = r.get<std::string>(7);
  c.created_at = r.get<long long>(8);
  c.last_used_at = optional_ms(r, 9);
  c.authorized_at = optional_ms(r, 10);
  return c;
}

constexpr const char* kGrantColumns = "id, client_id, tenant_id, user_id, scope, created_at, resource";

GrantRecord grant_from(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
          r.get<std::string>(4), r.get<long long>(5),
          r.get_indicator(6) == soci::i_null ? std::string() : r.get<std::string>(6)};
}

}  // namespace

// --- clients ---------------------------------------------------------------------

void Store::insert_client(soci::session& tx, const ClientRecord& c) {
  std::string uris = to_json(c.redirect_uris), grants = to_json(c.grant_types);
  soci::indicator tenant_ind = c.tenant_id.empty() ? soci::i_null : soci::i_ok;
  soci::indicator secret_ind = c.secret_hash.empty() ? soci::i_null : soci::i_ok;
  tx << "INSERT INTO auth_oauth_clients (" << kClientColumns
     << ") VALUES (:i, :t, :n, :r, :a, :g, :s, :h, :c, NULL, NULL)",
      soci::use(c.id), soci::use(c.tenant_id, tenant_ind), soci::use(c.name), soci::use(uris),
      soci::use(c.auth_method), soci::use(grants), soci::use(c.scope), soci::use(c.secret_hash, secret_ind),
      soci::use(c.created_at);
}

std::optional<ClientRecord> Store::find_client(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kClientColumns << " FROM auth_oauth_clients WHERE id = :i", soci::use(id));
  for (auto& r : rows) return client_from(r);
  return std::nullopt;
}

std::vector<ClientRecord> Store::tenant_clients(soci::session& s, const std::string& tenant_id,
                                                const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  std::vector<ClientRecord> out;
  ambit::sdk::TimeIdAfter k(after);
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kClientColumns << " FROM auth_oauth_clients WHERE tenant_id = :t AND " << k.sql()
                 << " ORDER BY created_at, id LIMIT :n",
       soci::use(tenant_id), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id), soci::use(fetch));
  for (auto& r : rows) out.push_back(client_from(r));
  return out;
}

std::size_t Store::count_clients(soci::session& s, const std::string& tenant_id) {
  long long n = 0;
  if (tenant_id.empty())
    s << "SELECT COUNT(*) FROM auth_oauth_clients WHERE tenant_id IS NULL", soci::into(n);
  else
    s << "SELECT COUNT(*) FROM auth_oauth_clients WHERE tenant_id = :t", soci::use(tenant_id), soci::into(n);
  return static_cast<std::size_t>(n);
}

void Store::touch_client(soci::session& tx, const std::string& id, std::int64_t now) {
  tx << "UPDATE auth_oauth_clients SET last_used_at = :n WHERE id = :i", soci::use(now), soci::use(id);
}

void Store::mark_authorized(soci::session& tx, const std::string& id, std::int64_t now) {
  tx << "UPDATE auth_oauth_clients SET authorized_at = :n WHERE id = :i AND authorized_at IS NULL", soci::use(now),
      soci::use(id);
}

bool Store::delete_client(soci::session& tx, const std::string& id, const ClientFilter& still) {
  // Grants, and through them codes and tokens, go with it (ON DELETE CASCADE).
  FilterValues v(still);
  soci::statement st = (tx.prepare << "DELETE FROM auth_oauth_clients WHERE id = :i" << kFilterConditions, soci::use(id),
                        soci::use(v.anonymous), soci::use(v.never_authorized), soci::use(v.idle), soci::use(v.before));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::vector<std::string> Store::matching_clients(soci::session& s, const ClientFilter& f) {
  FilterValues v(f);
  std::vector<std::string> out;
  if (f.ids.empty()) {
    soci::rowset<std::string> rows =
        (s.prepare << "SELECT id FROM auth_oauth_clients WHERE 1 = 1" << kFilterConditions << " ORDER BY created_at, id",
         soci::use(v.anonymous), soci::use(v.never_authorized), soci::use(v.idle), soci::use(v.before));
    for (auto& id : rows) out.push_back(id);
    return out;
  }
  for (const auto& wanted : f.ids) {
    std::string id;
    s << "SELECT id FROM auth_oauth_clients WHERE id = :i" << kFilterConditions, soci::use(wanted),
        soci::use(v.anonymous), soci::use(v.never_authorized), soci::use(v.idle), soci::use(v.before), soci::into(id);
    if (s.got_data() && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

std::vector<std::string> Store::idle_clients(soci::session& s, std::int64_t before) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (s.prepare << "SELECT c.id FROM auth_oauth_clients c WHERE COALESCE(c.last_used_at, c.created_at) < :b"
                    " AND NOT EXISTS (SELECT 1 FROM auth_oauth_grants g WHERE g.client_id = c.id)",
       soci::use(before));
  for (auto& id : rows) out.push_back(id);
  return out;
}

void Store::prune(soci::session& tx, std::int64_t now, std::int64_t used_before) {
  tx << "DELETE FROM auth_oauth_codes WHERE expires_at < :n", soci::use(now);
  tx << "DELETE FROM auth_oauth_tokens WHERE kind = 'access' AND expires_at < :n", soci::use(now);
  tx << "DELETE FROM auth_oauth_tokens WHERE kind = 'refresh' AND used_at < :u", soci::use(used_before);
}

// --- grants ------------------------------------------------------------------------

void Store::insert_grant(soci::session& tx, const GrantRecord& g) {
  soci::indicator resource_ind = g.resource.empty() ? soci::i_null : soci::i_ok;
  tx << "INSERT INTO auth_oauth_grants (" << kGrantColumns << ") VALUES (:i, :c, :t, :u, :s, :a, :r)",
      soci::use(g.id), soci::use(g.client_id), soci::use(g.tenant_id), soci::use(g.user_id), soci::use(g.scope),
      soci::use(g.created_at), soci::use(g.resource, resource_ind);
}

std::optional<GrantRecord> Store::find_grant(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kGrantColumns << " FROM auth_oauth_grants WHERE id = :i", soci::use(id));
  for (auto& r : rows) return grant_from(r);
  return std::nullopt;
}

std::vector<GrantRecord> Store::tenant_grants(soci::session& s, const std::string& tenant_id,
                                              const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  std::vector<GrantRecord> out;
  ambit::sdk::TimeIdAfter k(after);
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kGrantColumns << " FROM auth_oauth_grants"
                    " WHERE tenant_id = :t AND " << k.sql() << " ORDER BY created_at, id LIMIT :n",
       soci::use(tenant_id), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id), soci::use(fetch));
  for (auto& r : rows) out.push_back(grant_from(r));
  return out;
}

void Store::delete_grant(soci::session& tx, const std::string& id) {
  tx << "DELETE FROM auth_oauth_grants WHERE id = :i", soci::use(id);
}

bool Store::bind_resource(soci::session& tx, const std::string& grant_id, const std::string& resource) {
  soci::statement st = (tx.prepare << "UPDATE auth_oauth_grants SET resource = :r WHERE id = :i AND resource IS NULL",
                        soci::use(resource), soci::use(grant_id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::optional<std::string> Store::grant_resource(soci::session& s, const std::string& grant_id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT resource FROM auth_oauth_grants WHERE id = :i", soci::use(grant_id));
  for (auto& r : rows) return r.get_indicator(0) == soci::i_null ? std::string() : r.get<std::string>(0);
  return std::nullopt;
}

// --- codes and tokens ------------------------------------------------------------------

void Store::insert_code(soci::session& tx, const std::string& hash, const CodeRecord& c) {
  tx << "INSERT INTO auth_oauth_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at)"
        " VALUES (:h, :g, :c, :r, :p, :e)",
      soci::use(hash), soci::use(c.grant_id), soci::use(c.client_id), soci::use(c.redirect_uri),
      soci::use(c.code_challenge), soci::use(c.expires_at);
}

std::optional<CodeRecord> Store::find_code(soci::session& s, const std::string& hash) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT grant_id, client_id, redirect_uri, code_challenge, expires_at, used_at FROM auth_oauth_codes"
                    " WHERE code_hash = :h",
       soci::use(hash));
  for (auto& r : rows)
    return CodeRecord{r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                      r.get<long long>(4), optional_ms(r, 5)};
  return std::nullopt;
}

bool Store::use_code(soci::session& tx, const std::string& hash, std::int64_t now) {
  soci::statement st = (tx.prepare << "UPDATE auth_oauth_codes SET used_at = :n WHERE code_hash = :h AND used_at IS NULL",
                        soci::use(now), soci::use(hash));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

void Store::insert_token(soci::session& tx, const std::string& hash, const TokenRecord& t) {
  soci::indicator expires_ind = t.expires_at ? soci::i_ok : soci::i_null;
  long long expires = t.expires_at.value_or(0);
  tx << "INSERT INTO auth_oauth_tokens (token_hash, kind, grant_id, client_id, scope, created_at, expires_at)"
        " VALUES (:h, :k, :g, :c, :s, :a, :e)",
      soci::use(hash), soci::use(t.kind), soci::use(t.grant_id), soci::use(t.client_id), soci::use(t.scope),
      soci::use(t.created_at), soci::use(expires, expires_ind);
}

std::optional<TokenRecord> Store::find_token(soci::session& s, const std::string& hash) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT t.kind, t.grant_id, t.client_id, t.scope, t.created_at, t.expires_at, t.used_at,"
                    " g.tenant_id, g.user_id, g.created_at, t.reused_at, g.resource"
                    " FROM auth_oauth_tokens t JOIN auth_oauth_grants g ON g.id = t.grant_id WHERE t.token_hash = :h",
       soci::use(hash));
  for (auto& r : rows) {
    TokenRecord t;
    t.kind = r.get<std::string>(0);
    t.grant_id = r.get<std::string>(1);
    t.client_id = r.get<std::string>(2);
    t.scope = r.get<std::string>(3);
    t.created_at = r.get<long long>(4);
    t.expires_at = optional_ms(r, 5);
    t.used_at = optional_ms(r, 6);
    t.tenant_id = r.get<std::string>(7);
    t.user_id = r.get<std::string>(8);
    t.grant_created_at = r.get<long long>(9);
    t.reused_at = optional_ms(r, 10);
    if (r.get_indicator(11) != soci::i_null) t.resource = r.get<std::string>(11);
    return t;
  }
  return std::nullopt;
}

bool Store::use_token(soci::session& tx, const std::string& hash, std::int64_t now) {
  soci::statement st = (tx.prepare << "UPDATE auth_oauth_tokens SET used_at = :n WHERE token_hash = :h AND used_at IS NULL",
                        soci::use(now), soci::use(hash));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

bool Store::reuse_token(soci::session& tx, const std::string& hash, std::int64_t now, std::int64_t used_since) {
  // Conditional, like use_token: of two processes reusing the token at once,
  // PostgreSQL lets the second UPDATE see the first one's reused_at.
  soci::statement st = (tx.prepare << "UPDATE auth_oauth_tokens SET reused_at = :n WHERE token_hash = :h"
                                      " AND kind = 'refresh' AND used_at IS NOT NULL AND used_at >= :s AND reused_at IS NULL",
                        soci::use(now), soci::use(hash), soci::use(used_since));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

void Store::delete_token(soci::session& tx, const std::string& hash) {
  tx << "DELETE FROM auth_oauth_tokens WHERE token_hash = :h", soci::use(hash);
}

}  // namespace oauth
