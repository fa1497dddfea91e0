#pragma once
// Reading the server's JSON leniently: a missing or non-string member is "".

#include <boost/json.hpp>

#include <string>

namespace ambit::cli {

inline std::string text_of(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace ambit::cli
