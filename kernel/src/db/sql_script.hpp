#pragma once
// Split a migration script into statements: ';' ends a statement except
// inside quotes, comments, or PostgreSQL dollar-quoted bodies. Needed because
// SOCI prepares one statement at a time on both backends.
#include <string>
#include <vector>

namespace ambit::kernel {
std::vector<std::string> split_sql_script(const std::string& script);
}
