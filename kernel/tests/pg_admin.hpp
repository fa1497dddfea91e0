#pragma once
// Connection-failure helpers for PostgreSQL tests: what a server restart does
// to a test's connections, on its own database only (the server is shared).
#include <libpq-fe.h>

#include <cstdlib>
#include <string>

namespace ambit::test {

/// The database name at the end of a postgresql:// URL.
inline std::string pg_database_name(const std::string& url) { return url.substr(url.rfind('/') + 1); }

/// Terminate every connection to `dbname` (as a restart would), waiting until
/// each is gone; returns how many were terminated (-1 without an admin URL).
inline int terminate_connections(const std::string& dbname) {
  const char* admin = std::getenv("AMBIT_TEST_PG_ADMIN_URL");
  if (!admin) return -1;
  PGconn* conn = PQconnectdb(admin);
  int n = -1;
  if (PQstatus(conn) == CONNECTION_OK) {
    const char* params[] = {dbname.c_str()};
    PGresult* r = PQexecParams(conn,
                               "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                               " WHERE datname = $1 AND pid <> pg_backend_pid()) t",
                               1, nullptr, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) n = std::atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  PQfinish(conn);
  return n;
}

}  // namespace ambit::test
