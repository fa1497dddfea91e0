#include "db/sql_script.hpp"

#include <cctype>

namespace ambit::kernel {
namespace {

bool only_space(const std::string& s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::vector<std::string> split_sql_script(const std::string& s) {
  std::vector<std::string> out;
  std::string current;
  bool has_code = false;  // comments alone do not make a statement
  std::size_t i = 0;
  auto flush = [&] {
    if (has_code && !only_space(current)) out.push_back(current);
    current.clear();
    has_code = false;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      auto end = s.find("*/", i + 2);
      i = end == std::string::npos ? s.size() : end + 2;
      current += ' ';
      continue;
    }
    if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      while (j < s.size()) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) { j += 2; continue; }  // doubled quote
          break;
        }
        ++j;
      }
      current.append(s, i, j + 1 - i);
      has_code = true;
      i = j + 1;
      continue;
    }
    if (c == '$') {
      // $tag$ ... $tag$ (tag may be empty)
      std::size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j < s.size() && s[j] == '$') {
        std::string tag = s.substr(i, j + 1 - i);
        auto end = s.find(tag, j + 1);
        std::size_t stop = end == std::string::npos ? s.size() : end + tag.size();
        current.append(s, i, stop - i);
        has_code = true;
        i = stop;
        continue;
      }
    }
    if (c == ';') {
      flush();
      ++i;
      continue;
    }
    current += c;
    if (!std::isspace(static_cast<unsigned char>(c))) has_code = true;
    ++i;
  }
  flush();
  // Trim each statement.
  for (auto& stmt : out) {
    auto b = stmt.find_first_not_of(" \t\r\n");
    auto e = stmt.find_last_not_of(" \t\r\n");
    stmt = stmt.substr(b, e - b + 1);
  }
  return out;
}

}  // namespace ambit::kernel
