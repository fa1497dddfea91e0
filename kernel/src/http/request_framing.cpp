#include "http/request_framing.hpp"

#include <algorithm>
#include <vector>

namespace ambit::kernel {

namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

/// Every coding of every Transfer-Encoding line, in order (empty list
/// elements skipped, RFC 9110 §5.6.1).
std::vector<std::string_view> transfer_codings(const http::fields& fields) {
  std::vector<std::string_view> codings;
  auto [first, last] = fields.equal_range(http::field::transfer_encoding);
  for (auto it = first; it != last; ++it) {
    std::string_view rest(it->value().data(), it->value().size());
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto coding = trim(rest.substr(0, comma));
      if (!coding.empty()) codings.push_back(coding);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return codings;
}

FramingProblem bad_framing(std::string message) { return {400, "BAD_REQUEST", std::move(message)}; }

std::optional<FramingProblem> transfer_encoding_problem(const http::fields& fields, unsigned version) {
  if (version < 11) return bad_framing("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  if (fields.count(http::field::content_length) != 0)
    return bad_framing("Transfer-Encoding and Content-Length together");
  auto codings = transfer_codings(fields);
  if (codings.empty() || !iequals(codings.back(), "chunked"))
    return bad_framing("Transfer-Encoding must end with chunked");
  auto chunked = std::count_if(codings.begin(), codings.end(), [](auto c) { return iequals(c, "chunked"); });
  if (chunked > 1) return bad_framing("chunked applied more than once");
  // RFC 9112 §6.1: a coding we do not implement (gzip, chunked) is 501.
  if (codings.size() > 1)
    return FramingProblem{501, "NOT_IMPLEMENTED",
                          "transfer coding \"" + std::string(codings.front()) + "\" is not supported"};
  return std::nullopt;
}

std::optional<FramingProblem> content_length_problem(const http::fields& fields) {
  auto [first, last] = fields.equal_range(http::field::content_length);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) return bad_framing("more than one Content-Length");
  std::string_view value(first->value().data(), first->value().size());
  // One number only: Beast also takes "5, 5"; a proxy may not.
  if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string_view::npos)
    return bad_framing("Content-Length must be one decimal number");
  return std::nullopt;
}

}  // namespace

std::optional<FramingProblem> framing_problem(const http::fields& fields, unsigned version) {
  if (fields.count(http::field::transfer_encoding) != 0) {
    if (auto problem = transfer_encoding_problem(fields, version)) return problem;
  } else if (auto problem = content_length_problem(fields)) {
    return problem;
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
  auto hosts = fields.count(http::field::host);
  if (hosts > 1 || (version >= 11 && hosts == 0)) return bad_framing("an HTTP/1.1 request needs exactly one Host");
  return std::nullopt;
}

}  // namespace ambit::kernel

namespace ambit::kernel {

bool valid_field_name(std::string_view name) {
  constexpr std::string_view delimiters = "\"(),/:;<=>?@[\\]{}";
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c >= 0x7f || delimiters.find(static_cast<char>(c)) != std::string_view::npos) return false;
  return true;
}

bool valid_field_value(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace ambit::kernel
