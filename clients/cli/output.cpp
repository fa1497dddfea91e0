#include "output.hpp"

#include <ctime>
#include <iostream>
#include <regex>

#include "terminal.hpp"

namespace json = boost::json;

namespace ambit::cli {
namespace {

bool is_time(const std::string& key, const json::value& v) {
  static const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  bool named = key == "at" || (key.size() > 3 && key.compare(key.size() - 3, 3, "_at") == 0);
  return v.is_string() && named &&
         std::regex_match(std::string(v.as_string()), rfc3339);
}

bool is_scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

bool scalar_array(const json::value& v) {
  if (!v.is_array()) return false;
  for (auto& x : v.as_array())
    if (!is_scalar(x)) return false;
  return true;
}

/// A cell: strings without quotes, times relative, null as "-", arrays of scalars joined.
std::string cell(const std::string& key, const json::value& v) {
  if (v.is_null()) return "-";
  if (is_time(key, v)) return relative_time(std::string(v.as_string()));
  if (v.is_string()) return std::string(v.as_string());
  if (scalar_array(v)) {
    std::string out;
    for (auto& x : v.as_array()) out += (out.empty() ? "" : ",") + cell("", x);
    return out.empty() ? "-" : out;
  }
  return json::serialize(v);
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // UTF-8: count lead bytes
  return n;
}

void print_list(const json::array& items, bool colour) {
  if (items.empty()) {
    std::cout << "(none)\n";
    return;
  }
  std::vector<std::string> columns;
  for (auto& item : items) {
    if (!item.is_object()) continue;
    for (auto& [k, v] : item.as_object())
      if ((is_scalar(v) || scalar_array(v)) && std::find(columns.begin(), columns.end(), std::string(k)) == columns.end())
        columns.emplace_back(k);
  }
  if (columns.empty()) {
    for (auto& item : items) std::cout << cell("", item) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (auto& c : columns) {
    std::string h = c;
    for (char& ch : h) ch = ch == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    header.push_back(h);
  }
  rows.push_back(header);
  for (auto& item : items) {
    std::vector<std::string> row;
    for (auto& c : columns) {
      auto* v = item.is_object() ? item.as_object().if_contains(c) : nullptr;
      row.push_back(v ? cell(c, *v) : "");
    }
    rows.push_back(std::move(row));
  }
  int width = terminal_columns();
  if (width > 0) {  // a terminal: clip long cells, and leave out the columns that do not fit
    auto fits = [&] {
      auto table = render_table(rows, false, 40);
      std::size_t widest = 0;
      for (std::size_t at = 0, end; at < table.size(); at = end + 1) {
        end = table.find('\n', at);
        widest = std::max(widest, display_width(table.substr(at, end - at)));
      }
      return widest <= static_cast<std::size_t>(width) || rows.front().size() <= 2;
    };
    while (!fits())
      for (auto& row : rows) row.pop_back();
  }
  std::cout << render_table(rows, colour, width > 0 ? 40 : 0);
}

void flatten(const std::string& prefix, const json::object& o, std::vector<std::vector<std::string>>& rows) {
  for (auto& [k, v] : o) {
    std::string key = prefix.empty() ? std::string(k) : prefix + "." + std::string(k);
    if (v.is_object() && !v.as_object().empty()) {
      flatten(key, v.as_object(), rows);
    } else {
      std::string text = cell(std::string(k), v);
      if (is_time(std::string(k), v)) text = std::string(v.as_string()) + " (" + text + ")";
      rows.push_back({key, text});
    }
  }
}

}  // namespace

std::string relative_time(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return text;
  long long at = static_cast<long long>(timegm(&tm));
  long long delta = static_cast<long long>(std::time(nullptr)) - at;
  bool future = delta < 0;
  long long s = future ? -delta : delta;
  if (s < 45) return future ? "in a moment" : "just now";
  struct Unit {
    long long seconds;
    const char* name;
  };
  static const Unit units[] = {{365 * 86400, "year"}, {30 * 86400, "month"}, {7 * 86400, "week"}, {86400, "day"},
                               {3600, "hour"},        {60, "minute"}};
  for (auto& u : units)
    if (s >= u.seconds) {
      long long n = (s + u.seconds / 2) / u.seconds;
      std::string amount = std::to_string(n) + " " + u.name + (n == 1 ? "" : "s");
      return future ? "in " + amount : amount + " ago";
    }
  return text;
}

std::string render_table(const std::vector<std::vector<std::string>>& rows, bool colour, int max_cell) {
  std::vector<std::size_t> widths;
  auto clipped = rows;
  for (auto& row : clipped)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (max_cell > 0 && display_width(row[i]) > static_cast<std::size_t>(max_cell))
        row[i] = row[i].substr(0, static_cast<std::size_t>(max_cell) - 3) + "...";
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  std::string out;
  for (std::size_t r = 0; r < clipped.size(); ++r) {
    std::string line;
    for (std::size_t i = 0; i < clipped[r].size(); ++i) {
      std::string text = clipped[r][i];
      if (i + 1 < clipped[r].size()) text += std::string(widths[i] - display_width(text) + 2, ' ');
      line += text;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += (r == 0 ? bold(line, colour) : line) + "\n";
  }
  return out;
}

void print_response(const HttpResponse& response, const std::string& format) {
  if (format == "json") {
    if (!response.body.empty()) std::cout << response.body << (response.body.back() == '\n' ? "" : "\n");
    return;
  }
  if (response.body.empty()) return;  // 204: the command says nothing, as `rm` does
  boost::system::error_code ec;
  auto doc = json::parse(response.body, ec);
  if (ec) {
    std::cout << response.body << "\n";
    return;
  }
  bool colour = colour_on_stdout();
  const json::value* data = &doc;
  if (doc.is_object())
    if (auto* d = doc.as_object().if_contains("data")) data = d;
  if (data->is_array()) {
    print_list(data->as_array(), colour);
  } else if (data->is_object()) {
    std::vector<std::vector<std::string>> rows;
    flatten("", data->as_object(), rows);
    std::size_t width = 0;
    for (auto& row : rows) width = std::max(width, display_width(row[0]));
    for (auto& row : rows)
      std::cout << bold(row[0], colour) << std::string(width - display_width(row[0]) + 2, ' ') << row[1] << "\n";
  } else {
    std::cout << cell("", *data) << "\n";
  }
  if (doc.is_object())
    if (auto* next = doc.as_object().if_contains("next_cursor"); next && next->is_string())
      std::cerr << "More: add --cursor " << std::string(next->as_string()) << "\n";
}

}  // namespace ambit::cli
