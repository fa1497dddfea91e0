#pragma once
// Applies each owner's migrations in version order, one transaction each,
// recorded in ambit_migrations (owner, version, name, checksum). Refuses when
// an applied migration's checksum changed or the database is ahead of the code.
// Safe with several processes starting at once (advisory lock / write lock).

#include <string>
#include <vector>

#include "ambit/sdk/database.hpp"
#include "ambit/sdk/logger.hpp"
#include "db/soci_database.hpp"

namespace ambit::kernel {

struct MigrationSet {
  std::string owner;  ///< "kernel" or a plugin name
  std::vector<sdk::Migration> migrations;  ///< both dialects; the right one is picked
};

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string sha256_hex(const std::string& data);

/// Returns how many migrations were applied. Throws MigrationError.
int apply_migrations(SociDatabase& db, const std::vector<MigrationSet>& sets, sdk::Logger& log);

}  // namespace ambit::kernel
