#include "semver.hpp"

#include <algorithm>
#include <charconv>

namespace remote_config {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool identifier_ok(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
  });
}

int compare_identifiers(const std::string& a, const std::string& b) {
  bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) {  // numerically, without overflow: longer is larger once leading zeros are gone
    auto strip = [](const std::string& s) { return std::string_view(s).substr(std::min(s.find_first_not_of('0'), s.size())); };
    auto x = strip(a), y = strip(b);
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
  }
  if (na != nb) return na ? -1 : 1;  // numeric identifiers sort first
  return a < b ? -1 : (a == b ? 0 : 1);
}

}  // namespace

std::optional<SemVer> parse_semver(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  if (auto plus = text.find('+'); plus != std::string_view::npos) text = text.substr(0, plus);
  std::string_view pre;
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    pre = text.substr(dash + 1);
    text = text.substr(0, dash);
    if (pre.empty()) return std::nullopt;
  }
  SemVer v;
  std::size_t part = 0;
  while (true) {
    auto dot = text.find('.');
    std::string_view piece = text.substr(0, dot);
    if (part == 3 || !all_digits(piece) || piece.size() > 18) return std::nullopt;
    std::from_chars(piece.data(), piece.data() + piece.size(), v.core[part++]);
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  while (!pre.empty()) {
    auto dot = pre.find('.');
    std::string_view id = pre.substr(0, dot);
    if (!identifier_ok(id)) return std::nullopt;
    v.pre.emplace_back(id);
    if (dot == std::string_view::npos) break;
    pre.remove_prefix(dot + 1);
    if (pre.empty()) return std::nullopt;
  }
  return v;
}

int compare(const SemVer& a, const SemVer& b) {
  for (std::size_t i = 0; i < 3; ++i)
    if (a.core[i] != b.core[i]) return a.core[i] < b.core[i] ? -1 : 1;
  if (a.pre.empty() || b.pre.empty()) return a.pre.empty() == b.pre.empty() ? 0 : (a.pre.empty() ? 1 : -1);
  for (std::size_t i = 0; i < std::min(a.pre.size(), b.pre.size()); ++i)
    if (int c = compare_identifiers(a.pre[i], b.pre[i])) return c;
  return a.pre.size() == b.pre.size() ? 0 : (a.pre.size() < b.pre.size() ? -1 : 1);
}

}  // namespace remote_config
