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
  /// `dedicated` scopes are in no role's bundle; a role whose patterns
  /// match one may be issued it (see issuable).
  void build(const std::vector<std::string>& scopes, const boost::json::object& role_patterns,
             const std::vector<std::string>& dedicated = {});
  bool exists(std::string_view scope) const;
  const std::vector<std::string>& scopes() const { return scopes_; }
  /// The role's default bundle (never a dedicated scope), sorted.
  const std::vector<std::string>& role_scopes(std::string_view role) const;
  /// What a credential of the role may hold: its bundle and the dedicated
  /// scopes its patterns match, sorted.
  const std::vector<std::string>& issuable(std::string_view role) const;
  bool dedicated(std::string_view scope) const;
  bool is_role(std::string_view role) const;
  /// 0 viewer .. 3 owner; -1 unknown.
  static int rank(std::string_view role);

 private:
  std::vector<std::string> scopes_, dedicated_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_role_, issuable_;
};

bool scope_matches(std::string_view pattern, std::string_view scope);

}  // namespace ambit::kernel
