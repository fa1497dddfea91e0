// RFC 9112 message framing through the real binary: raw bytes over a socket,
// the status of the one answer, and whether the server then closes. A
// request whose length could be read two ways is refused and the connection
// closed, so nothing after it is parsed as a second request (smuggling).
#include <gtest/gtest.h>

#include "e2e_util.hpp"

using namespace ambit::test;
using namespace std::chrono_literals;

namespace {

struct FramingCase {
  const char* name;
  std::string bytes;
  int status;
  bool closes;
};

const std::string kHealthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
/// {"count":0}: a valid body for POST /testkit/jobs (201, enqueues nothing).
const std::string kBody = R"({"count":0})";

std::string post(const std::string& framing_headers, const std::string& body, const std::string& version = "1.1") {
  return "POST /testkit/jobs HTTP/" + version + "\r\nHost: x\r\nContent-Type: application/json\r\n" +
         framing_headers + "\r\n" + body;
}

std::string chunked(const std::string& body) {
  std::ostringstream hex;
  hex << std::hex << body.size();
  return hex.str() + "\r\n" + body + "\r\n0\r\n\r\n";
}

std::vector<FramingCase> framing_cases() {
  return {
      // Sound framing: answered, the connection stays open.
      {"content_length", post("Content-Length: 11\r\n", kBody), 201, false},
      {"chunked", post("Transfer-Encoding: chunked\r\n", chunked(kBody)), 201, false},
      {"chunked_any_case", post("Transfer-Encoding: ChUnKeD\r\n", chunked(kBody)), 201, false},
      {"chunked_small_extension", post("Transfer-Encoding: chunked\r\n", "b;a=1\r\n" + kBody + "\r\n0\r\n\r\n"), 201,
       false},
      {"http10_without_host", "GET /healthz HTTP/1.0\r\n\r\n", 200, true},
      // Transfer-Encoding other than a final chunked (RFC 9112 §6.3): the body
      // must not be parsed as a second request.
      {"te_gzip_only", post("Transfer-Encoding: gzip\r\n", kHealthz), 400, true},
      {"te_identity", post("Transfer-Encoding: identity\r\n", kHealthz), 400, true},
      {"te_chunked_not_last", post("Transfer-Encoding: chunked, gzip\r\n", chunked(kBody)), 400, true},
      {"te_chunked_twice", post("Transfer-Encoding: chunked, chunked\r\n", chunked(kBody)), 400, true},
      {"te_two_lines_chunked_twice", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunked(kBody)),
       400, true},
      {"te_unsupported_coding_before_chunked", post("Transfer-Encoding: gzip, chunked\r\n", chunked(kBody)), 501, true},
      {"te_two_lines_gzip_then_chunked", post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunked(kBody)),
       501, true},
      {"te_with_parameter", post("Transfer-Encoding: chunked;q=1\r\n", chunked(kBody)), 400, true},
      {"te_empty", post("Transfer-Encoding: \r\n", kHealthz), 400, true},
      {"te_in_http10", post("Transfer-Encoding: chunked\r\n", chunked(kBody), "1.0"), 400, true},
      // Both framings (CL.TE and TE.CL smuggling).
      {"content_length_then_te", post("Content-Length: 11\r\nTransfer-Encoding: chunked\r\n", chunked(kBody)), 400, true},
      {"te_then_content_length", post("Transfer-Encoding: chunked\r\nContent-Length: 11\r\n", chunked(kBody)), 400, true},
      // Content-Length must be one decimal number on one line.
      {"content_length_list", post("Content-Length: 11, 11\r\n", kBody), 400, true},
      {"content_length_twice_same", post("Content-Length: 11\r\nContent-Length: 11\r\n", kBody), 400, true},
      {"content_length_twice_different", post("Content-Length: 11\r\nContent-Length: 5\r\n", kBody), 400, true},
      {"content_length_plus", post("Content-Length: +11\r\n", kBody), 400, true},
      {"content_length_negative", post("Content-Length: -1\r\n", kBody), 400, true},
      {"content_length_hex", post("Content-Length: 0xb\r\n", kBody), 400, true},
      {"content_length_overflow", post("Content-Length: 99999999999999999999999\r\n", kBody), 400, true},
      // Chunks.
      {"chunk_size_not_hex", post("Transfer-Encoding: chunked\r\n", "zz\r\n" + kBody + "\r\n0\r\n\r\n"), 400, true},
      {"chunk_extension_too_long",
       post("Transfer-Encoding: chunked\r\n", "b;" + std::string(8000, 'e') + "\r\n" + kBody + "\r\n0\r\n\r\n"), 400,
       true},
      // An unfinished chunk line or trailer section is not buffered without end.
      {"chunk_extension_unfinished", post("Transfer-Encoding: chunked\r\n", "1;" + std::string(6000, 'e')), 400, true},
      {"trailer_unfinished", post("Transfer-Encoding: chunked\r\n", "0\r\nX-T: " + std::string(6000, 't')), 400,
       true},
      // Host (RFC 9112 §3.2).
      {"http11_without_host", "GET /healthz HTTP/1.1\r\n\r\n", 400, true},
      {"two_hosts", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, true},
      // Field syntax (RFC 9112 §5.1).
      {"space_before_colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400, true},
  };
}

int first_status(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::stoi(raw.substr(9, 3));
}

int responses_in(const std::string& raw) {
  int n = 0;
  for (auto at = raw.find("HTTP/1."); at != std::string::npos; at = raw.find("\r\nHTTP/1.", at + 1)) ++n;
  return n;
}

}  // namespace

class HttpFraming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir;
    auto cfg = e2e_config(*dir, sqlite_url(*dir), {boost::json::object{{"name", "test-kit"}}},
                          {{"idle_timeout_ms", 30000}, {"header_timeout_ms", 5000}});
    server = new ServerProcess(write_config(*dir, cfg));
  }
  static void TearDownTestSuite() {
    delete server;
    delete dir;
  }
  static TempDir* dir;
  static ServerProcess* server;
};
TempDir* HttpFraming::dir = nullptr;
ServerProcess* HttpFraming::server = nullptr;

TEST_F(HttpFraming, EachCaseGetsItsStatusAndClosesWhenTheFramingIsBad) {
  for (const auto& c : framing_cases()) {
    SCOPED_TRACE(c.name);
    bool closed = false;
    // A connection left open is noticed after this wait.
    auto raw = raw_exchange(server->port(), c.bytes, c.closes ? 5s : 700ms, &closed);
    EXPECT_EQ(first_status(raw), c.status) << raw;
    EXPECT_EQ(closed, c.closes) << raw;
    // One answer only: no part of a refused message is read as another request.
    EXPECT_EQ(responses_in(raw), 1) << raw;
  }
  EXPECT_EQ(http(server->port(), "GET", "/healthz").status, 200);
}
