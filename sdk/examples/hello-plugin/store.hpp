#pragma once
// All of the plugin's SQL, behind one small class.
#include <cstdint>
#include <string>

#include "ambit/sdk/database.hpp"

namespace hello {

class Store {
 public:
  explicit Store(ambit::sdk::Database& db) : db_(db) {}
  /// Count one more visit of `name` and return the new total.
  std::int64_t record_visit(const std::string& name, std::int64_t now_ms);

 private:
  ambit::sdk::Database& db_;
};

}  // namespace hello
