#pragma once
// The migrations embedded at build time by ambit_add_plugin(... MIGRATIONS dir):
// every migrations/<sqlite|postgresql>/NNNN_what.sql file of the plugin.
// Register them in setup():  for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);

#include <vector>

#include "ambit/sdk/database.hpp"

namespace ambit::sdk {
inline namespace v1 {
std::vector<Migration> embedded_migrations();
}  // namespace v1
}  // namespace ambit::sdk
