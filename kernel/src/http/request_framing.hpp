#pragma once
// Message framing checks Beast's parser leaves to us (RFC 9112 §6): a request
// whose body length could be read two ways is refused, since a proxy in
// front of us might read it the other way (request smuggling).

#include <boost/beast/http/fields.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ambit::kernel {

struct FramingProblem {
  int status;  ///< 400, or 501 for a transfer coding we do not implement
  std::string code;
  std::string message;
};

/// Checks a parsed request header. Refused: a Transfer-Encoding other than
/// exactly `chunked` (400; 501 for a coding before a final `chunked`), one in
/// an HTTP/1.0 request, Transfer-Encoding together with Content-Length, more
/// than one Content-Length line or a value that is not one decimal number,
/// and an HTTP/1.1 request without exactly one Host line. The connection is
/// closed after the answer.
std::optional<FramingProblem> framing_problem(const boost::beast::http::fields& fields, unsigned version);

}  // namespace ambit::kernel

namespace ambit::kernel {

/// A field name is a token (RFC 9110 §5.1): visible ASCII except delimiters.
bool valid_field_name(std::string_view name);

/// A field value holds no control character but HTAB (RFC 9110 §5.5); CR or
/// LF in a response header would split the response.
bool valid_field_value(std::string_view value);

}  // namespace ambit::kernel
