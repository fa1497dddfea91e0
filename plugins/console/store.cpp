#include "store.hpp"

namespace console {

void Store::insert(soci::session& tx, const SessionRecord& s, const std::string& token_hash) {
  long long created = s.created_at, seen = s.last_seen_at, expires = s.expires_at;
  tx << "INSERT INTO console_sessions (id, token_hash, tenant_id, user_id, created_at, last_seen_at, expires_at)"
        " VALUES (:id, :h, :t, :u, :c, :s, :x)",
      soci::use(s.id), soci::use(token_hash), soci::use(s.tenant_id), soci::use(s.user_id), soci::use(created),
      soci::use(seen), soci::use(expires);
}

std::optional<SessionRecord> Store::find_by_hash(const std::string& token_hash) {
  auto db = ctx_.database().session();
  soci::rowset<soci::row> rows =
      (db->prepare << "SELECT id, tenant_id, user_id, created_at, last_seen_at, expires_at, ended_at"
                      " FROM console_sessions WHERE token_hash = :h",
       soci::use(token_hash));
  for (auto& r : rows) {
    SessionRecord s;
    s.id = r.get<std::string>(0);
    s.tenant_id = r.get<std::string>(1);
    s.user_id = r.get<std::string>(2);
    s.created_at = r.get<long long>(3);
    s.last_seen_at = r.get<long long>(4);
    s.expires_at = r.get<long long>(5);
    if (r.get_indicator(6) != soci::i_null) s.ended_at = r.get<long long>(6);
    return s;
  }
  return std::nullopt;
}

bool Store::end(soci::session& tx, const std::string& id, std::int64_t at) {
  long long when = at;
  soci::statement st = (tx.prepare << "UPDATE console_sessions SET ended_at = :a WHERE id = :id AND ended_at IS NULL",
                        soci::use(when), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void Store::touch(const std::map<std::string, std::int64_t>& last_seen) {
  if (last_seen.empty()) return;
  ctx_.database().transaction([&](soci::session& tx) {
    for (auto& [id, at] : last_seen) {
      long long when = at;
      tx << "UPDATE console_sessions SET last_seen_at = :a WHERE id = :id AND last_seen_at < :a2", soci::use(when),
          soci::use(id), soci::use(when);
    }
  });
}

void Store::purge_expired(soci::session& tx, std::int64_t before) {
  long long when = before;
  tx << "DELETE FROM console_sessions WHERE expires_at < :b", soci::use(when);
}

}  // namespace console
