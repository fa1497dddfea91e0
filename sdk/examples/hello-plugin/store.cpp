#include "store.hpp"

namespace hello {

std::int64_t Store::record_visit(const std::string& name, std::int64_t now_ms) {
  std::int64_t visits = 0;
  ctx_.database().transaction([&](soci::session& tx) {
    // Portable upsert: SQLite and PostgreSQL both accept ON CONFLICT.
    tx << "INSERT INTO hello_visits (name, visits, last_visit_at) VALUES (:n, 1, :t)"
          " ON CONFLICT (name) DO UPDATE SET visits = hello_visits.visits + 1, last_visit_at = :t2",
        soci::use(name), soci::use(now_ms), soci::use(now_ms);
    tx << "SELECT visits FROM hello_visits WHERE name = :n", soci::use(name), soci::into(visits);
  });
  return visits;
}

std::int64_t Store::visits(const std::string& name) {
  std::int64_t visits = 0;
  auto db = ctx_.database().session();
  *db << "SELECT visits FROM hello_visits WHERE name = :n", soci::use(name), soci::into(visits);
  return visits;
}

}  // namespace hello
