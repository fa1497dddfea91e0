#pragma once
// All of the plugin's SQL, behind one small class.
#include <cstdint>
#include <string>

#include "ambit/sdk/context.hpp"

namespace hello {

class Store {
 public:
  /// The database is looked up on use: `ambit plugins` runs setup() without one.
  explicit Store(ambit::sdk::Context& ctx) : ctx_(ctx) {}
  /// Count one more visit of `name` and return the new total.
  std::int64_t record_visit(const std::string& name, std::int64_t now_ms);
  /// Visits of `name` so far (0 for a name never greeted).
  std::int64_t visits(const std::string& name);

 private:
  ambit::sdk::Context& ctx_;
};

}  // namespace hello
