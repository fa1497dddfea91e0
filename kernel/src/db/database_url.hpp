#pragma once
// Database URLs as operators write them, turned into SOCI connection strings.
//   sqlite3:///abs/file.db  sqlite3://rel/file.db  sqlite3://db=/path/file.db
//   postgresql://user:pass@host:5432/db?sslmode=disable   (libpq URI)
//   postgresql://host=127.0.0.1 port=5432 dbname=db        (SOCI keyword form)

#include <string>

#include "ambit/sdk/database.hpp"

namespace ambit::kernel {

struct DatabaseTarget {
  sdk::Dialect dialect;
  std::string connect_string;  ///< for soci::session(backend, connect_string)
  std::string redacted;        ///< for logs: the URL without its password
  std::string sqlite_path;     ///< the file, for SQLite
};

/// Throws std::invalid_argument with a message naming what is wrong.
DatabaseTarget parse_database_url(const std::string& url);

}  // namespace ambit::kernel
