#include "raw_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

#include "http_client.hpp"

namespace ambit::test {

namespace {
using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::optional<std::string> field(const std::string& head, const std::string& name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string::npos && at + 2 < head.size()) {
    std::size_t end = head.find("\r\n", at + 2);
    if (end == std::string::npos) break;
    std::string line = head.substr(at + 2, end - at - 2);
    auto colon = line.find(':');
    if (colon != std::string::npos && lower(line.substr(0, colon)) == name) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      return value;
    }
    at = end;
  }
  return std::nullopt;
}

RawClient::RawClient(std::uint16_t port) : fd_(connect_loopback(port)) {}
RawClient::~RawClient() { close(); }

void RawClient::send(std::string_view bytes) { send_all(fd_, bytes); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string RawClient::head(std::chrono::milliseconds limit) {
  if (!fill_until([this] { return buffer_.find("\r\n\r\n") != std::string::npos; }, limit)) return {};
  auto end = buffer_.find("\r\n\r\n") + 4;
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end);
  return head;
}

std::optional<std::string> RawClient::chunk(std::chrono::milliseconds limit) {
  if (!fill_until([this] { return buffer_.find("\r\n") != std::string::npos; }, limit)) return std::nullopt;
  auto line_end = buffer_.find("\r\n");
  std::size_t size = 0;
  try {
    std::size_t used = 0;
    size = std::stoul(buffer_.substr(0, line_end), &used, 16);
    if (used != line_end) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::size_t total = line_end + 2 + size + 2;
  if (!fill_until([&] { return buffer_.size() >= total; }, limit)) return std::nullopt;
  if (buffer_.compare(total - 2, 2, "\r\n") != 0) return std::nullopt;
  std::string data = buffer_.substr(line_end + 2, size);
  buffer_.erase(0, total);
  return data;
}

std::pair<std::string, std::string> RawClient::response(std::chrono::milliseconds limit) {
  std::string h = head(limit);
  auto length = field(h, "content-length");
  if (h.empty() || !length) return {h, {}};
  std::size_t n = std::stoul(*length);
  if (!fill_until([&] { return buffer_.size() >= n; }, limit)) return {h, {}};
  std::string body = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return {h, body};
}

bool RawClient::read_to_close(std::chrono::milliseconds limit, std::string* rest) {
  fill_until([] { return false; }, limit);
  if (rest) *rest = buffer_;
  buffer_.clear();
  return eof_;
}

bool RawClient::fill_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (eof_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<SseEvent> SseReader::next(std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  std::size_t end;
  while ((end = text_.find("\n\n")) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (ended_ || left.count() <= 0) return std::nullopt;
    auto chunk = client_.chunk(left);
    if (!chunk) return std::nullopt;
    if (chunk->empty()) ended_ = true;  // the last chunk
    text_ += *chunk;
  }
  std::string block = text_.substr(0, end + 1);
  text_.erase(0, end + 2);
  SseEvent e;
  e.comment_only = true;
  for (std::size_t at = 0; at < block.size();) {
    std::size_t eol = block.find('\n', at);
    std::string line = block.substr(at, eol - at);
    at = eol + 1;
    if (!line.empty() && line[0] == ':') continue;
    e.comment_only = false;
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (name == "id") e.id = value;
    if (name == "event") e.event = value;
    if (name == "retry") e.retry = value;
    if (name == "data") e.data += (e.data.empty() ? "" : "\n") + value;
  }
  return e;
}

std::optional<SseEvent> SseReader::next_event(std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto e = next(left);
    if (!e || !e->data.empty()) return e;
  }
}

}  // namespace ambit::test
