#include "http/response_stream.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace ambit::kernel {

namespace {
constexpr std::string_view kLastChunk = "0\r\n\r\n";

/// The chunk-size line of a chunk of `n` bytes: hex digits and CRLF.
std::string_view chunk_size_line(std::size_t n, std::array<char, 24>& buf) {
  char* end = std::to_chars(buf.data(), buf.data() + buf.size() - 2, n, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  return {buf.data(), static_cast<std::size_t>(end - buf.data())};
}
}  // namespace

StreamChannel::StreamChannel(bool chunked, std::size_t limit, std::function<void()> wake)
    : chunked_(chunked), limit_(limit), wake_(std::move(wake)) {}

void StreamChannel::wake_once() {
  if (wake_posted_) return;
  wake_posted_ = true;
  wake_();
}

bool StreamChannel::write(std::string_view bytes) {
  std::lock_guard lock(mu_);
  return append_locked(bytes);
}

bool StreamChannel::append_locked(std::string_view bytes) {
  if (closing_) return false;
  if (bytes.empty()) return true;  // an empty chunk would end the body
  std::array<char, 24> buf;
  std::string_view size_line = chunked_ ? chunk_size_line(bytes.size(), buf) : std::string_view();
  std::size_t framed = size_line.size() + bytes.size() + (chunked_ ? 2 : 0);
  if (unwritten_ > 0 && unwritten_ + framed > limit_) {
    overflow_ = closing_ = true;
    wake_posted_ = false;  // even while a write is stuck: the connection must hear of it now
    wake_once();
    return false;
  }
  pending_.reserve(pending_.size() + framed);
  pending_ += size_line;
  pending_ += bytes;
  if (chunked_) pending_ += "\r\n";
  unwritten_ += framed;
  wake_once();
  return true;
}

void StreamChannel::set_farewell(std::string bytes) {
  std::lock_guard lock(mu_);
  farewell_ = std::move(bytes);
}

void StreamChannel::close_for_shutdown() {
  std::lock_guard lock(mu_);
  append_locked(farewell_);
  close_locked();
}

void StreamChannel::close() {
  std::lock_guard lock(mu_);
  close_locked();
}

void StreamChannel::close_locked() {
  if (closing_) return;
  closing_ = true;
  if (chunked_) {
    pending_ += kLastChunk;
    unwritten_ += kLastChunk.size();
  }
  wake_once();
}

bool StreamChannel::open() const {
  std::lock_guard lock(mu_);
  return !closing_;
}

void StreamChannel::on_end(std::function<void()> callback) {
  {
    std::lock_guard lock(mu_);
    if (!ended_) {
      on_end_ = std::move(callback);
      return;
    }
  }
  if (callback) callback();
}

StreamChannel::Taken StreamChannel::take(std::string& out) {
  std::lock_guard lock(mu_);
  wake_posted_ = false;
  Taken taken{pending_.size(), closing_};
  if (out.empty()) {
    out.swap(pending_);
  } else {
    out += pending_;
  }
  // Not kept: an idle stream holds no buffer.
  std::string().swap(pending_);
  return taken;
}

void StreamChannel::written(std::size_t bytes) {
  std::lock_guard lock(mu_);
  unwritten_ -= std::min(bytes, unwritten_);
}

bool StreamChannel::overflowed() const {
  std::lock_guard lock(mu_);
  return overflow_;
}

std::size_t StreamChannel::unwritten() const {
  std::lock_guard lock(mu_);
  return unwritten_;
}

void StreamChannel::end() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = closing_ = true;
    std::string().swap(pending_);
    unwritten_ = 0;
    callback = std::move(on_end_);
  }
  // Outside the lock: the callback may use the stream (its writes return false).
  if (callback) callback();
}

}  // namespace ambit::kernel
