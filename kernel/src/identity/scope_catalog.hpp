#pragma once
// The scope catalog (every scope the kernel and plugins declared) and each
// role's default scopes, computed from the role patterns in config:
//   "*" every scope, "keys:*" one resource, "*:read" one action,
//   "keys:manage" exact, and a leading "!" excludes.

#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ambit::kernel {

class ScopeCatalog {
 public:
  /// `role_patterns`: {"viewer": ["*:read"], ...} for all four roles.
  void build(const std::vector<std::string>& scopes, const boost::json::object& role_patterns);
  bool exists(std::string_view scope) const;
  const std::vector<std::string>& scopes() const { return scopes_; }
  const std::vector<std::string>& role_scopes(std::string_view role) const;
  bool is_role(std::string_view role) const;
  /// 0 viewer .. 3 owner; -1 unknown.
  static int rank(std::string_view role);

 private:
  std::vector<std::string> scopes_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_role_;
};

bool scope_matches(std::string_view pattern, std::string_view scope);

}  // namespace ambit::kernel
