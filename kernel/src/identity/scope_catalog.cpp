#include "identity/scope_catalog.hpp"

#include <algorithm>

#include "ambit/sdk/identity.hpp"

namespace ambit::kernel {

bool scope_matches(std::string_view pattern, std::string_view scope) {
  if (pattern == "*") return true;
  auto pc = pattern.find(':'), sc = scope.find(':');
  if (pc == std::string_view::npos || sc == std::string_view::npos) return pattern == scope;
  auto pr = pattern.substr(0, pc), pa = pattern.substr(pc + 1);
  auto sr = scope.substr(0, sc), sa = scope.substr(sc + 1);
  return (pr == "*" || pr == sr) && (pa == "*" || pa == sa);
}

void ScopeCatalog::build(const std::vector<std::string>& scopes, const boost::json::object& role_patterns,
                         const std::vector<std::string>& dedicated) {
  scopes_ = scopes;
  std::sort(scopes_.begin(), scopes_.end());
  dedicated_ = dedicated;
  std::sort(dedicated_.begin(), dedicated_.end());
  by_role_.clear();
  issuable_.clear();
  for (const char* role : sdk::kRoles) {
    std::vector<std::string> granted;
    const auto* patterns = role_patterns.if_contains(role);
    for (auto& scope : scopes_) {
      bool in = false, out = false;
      if (patterns && patterns->is_array()) {
        for (auto& p : patterns->as_array()) {
          std::string_view pat = p.as_string();
          if (!pat.empty() && pat.front() == '!') {
            out = out || scope_matches(pat.substr(1), scope);
          } else {
            in = in || scope_matches(pat, scope);
          }
        }
      }
      if (in && !out) granted.push_back(scope);
    }
    issuable_[role] = granted;
    std::erase_if(granted, [&](const std::string& s) { return this->dedicated(s); });
    by_role_[role] = std::move(granted);
  }
}

bool ScopeCatalog::exists(std::string_view scope) const {
  return std::binary_search(scopes_.begin(), scopes_.end(), scope);
}

const std::vector<std::string>& ScopeCatalog::role_scopes(std::string_view role) const {
  static const std::vector<std::string> none;
  auto it = by_role_.find(role);
  return it == by_role_.end() ? none : it->second;
}

const std::vector<std::string>& ScopeCatalog::issuable(std::string_view role) const {
  static const std::vector<std::string> none;
  auto it = issuable_.find(role);
  return it == issuable_.end() ? none : it->second;
}

bool ScopeCatalog::dedicated(std::string_view scope) const {
  return std::binary_search(dedicated_.begin(), dedicated_.end(), scope);
}

bool ScopeCatalog::is_role(std::string_view role) const { return rank(role) >= 0; }

int ScopeCatalog::rank(std::string_view role) {
  int i = 0;
  for (const char* r : sdk::kRoles) {
    if (role == r) return i;
    ++i;
  }
  return -1;
}

}  // namespace ambit::kernel
