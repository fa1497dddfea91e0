#include "db/migrator.hpp"

#include <botan/hash.h>
#include <botan/hex.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "db/sql_script.hpp"

namespace ambit::kernel {
namespace {

constexpr long long kMigrationLockId = 0x616d626974'6d67;  // "ambit" "mg"

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* dialect_name(sdk::Dialect d) { return d == sdk::Dialect::sqlite ? "sqlite" : "postgresql"; }

void ensure_table(soci::session& s) {
  s << "CREATE TABLE IF NOT EXISTS ambit_migrations ("
       " owner TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
       " checksum TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (owner, version))";
}

std::vector<sdk::Migration> for_dialect(const MigrationSet& set, sdk::Dialect dialect) {
  std::vector<sdk::Migration> out;
  for (auto& m : set.migrations)
    if (m.dialect == dialect) out.push_back(m);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].version != static_cast<int>(i) + 1)
      throw MigrationError("migrations of " + set.owner + " (" + dialect_name(dialect) +
                           ") must be numbered 1, 2, 3, ... without gaps or repeats; found version " +
                           std::to_string(out[i].version) + " (" + out[i].name + ") at position " +
                           std::to_string(i + 1));
  }
  return out;
}

std::map<int, std::pair<std::string, std::string>> applied_versions(soci::session& s, const std::string& owner) {
  std::map<int, std::pair<std::string, std::string>> applied;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT version, name, checksum FROM ambit_migrations WHERE owner = :o", soci::use(owner));
  for (auto& r : rows) applied[r.get<int>(0)] = {r.get<std::string>(1), r.get<std::string>(2)};
  return applied;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  auto hash = Botan::HashFunction::create_or_throw("SHA-256");
  hash->update(data);
  return Botan::hex_encode(hash->final(), false);
}

int apply_migrations(SociDatabase& db, const std::vector<MigrationSet>& sets, sdk::Logger& log) {
  const sdk::Dialect dialect = db.dialect();
  auto control = open_session(db.target());
  ensure_table(*control);
  // One migrator at a time across processes; released when `control` closes.
  if (dialect == sdk::Dialect::postgresql) *control << "SELECT pg_advisory_lock(" << kMigrationLockId << ")";

  int applied_count = 0;
  for (auto& set : sets) {
    auto wanted = for_dialect(set, dialect);
    auto applied = applied_versions(*control, set.owner);
    for (auto& [version, record] : applied) {
      if (version > static_cast<int>(wanted.size()))
        throw MigrationError("the database has migration " + std::to_string(version) + " (" + record.first +
                             ") of " + set.owner + " which this build does not have: refusing to run older code");
      const auto& m = wanted[static_cast<std::size_t>(version - 1)];
      std::string sum = sha256_hex(m.sql);
      if (sum != record.second)
        throw MigrationError("migration " + set.owner + "/" + dialect_name(dialect) + "/" + m.name +
                             " was changed after it was applied (checksum " + sum.substr(0, 12) +
                             ", recorded " + record.second.substr(0, 12) + "): restore it and add a new migration");
    }
    for (auto& m : wanted) {
      if (applied.count(m.version)) continue;
      std::string sum = sha256_hex(m.sql);
      std::string where = set.owner + "/" + dialect_name(dialect) + "/" + m.name;
      soci::session& s = *control;
      s << (dialect == sdk::Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      try {
        // Another process may have applied it while we waited for the lock.
        int already = 0;
        s << "SELECT COUNT(*) FROM ambit_migrations WHERE owner = :o AND version = :v", soci::use(set.owner),
            soci::use(m.version), soci::into(already);
        if (already == 0) {
          for (auto& stmt : split_sql_script(m.sql)) s << stmt;
          std::int64_t at = now_ms();
          s << "INSERT INTO ambit_migrations (owner, version, name, checksum, applied_at) VALUES (:o, :v, :n, :c, :t)",
              soci::use(set.owner), soci::use(m.version), soci::use(m.name), soci::use(sum), soci::use(at);
        }
        s << "COMMIT";
        if (already == 0) {
          ++applied_count;
          log.info("migration applied", {{"migration", where}});
        }
      } catch (const std::exception& e) {
        try { s << "ROLLBACK"; } catch (...) {}
        throw MigrationError("migration " + where + " failed and was rolled back: " + e.what());
      }
    }
  }
  if (dialect == sdk::Dialect::postgresql) *control << "SELECT pg_advisory_unlock(" << kMigrationLockId << ")";
  return applied_count;
}

}  // namespace ambit::kernel
