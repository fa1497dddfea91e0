#include "audit/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace ambit::kernel {
namespace fs = std::filesystem;
namespace {

std::string error_text(int error) { return std::generic_category().message(error); }

// New and renamed directory entries survive a crash only once the directory
// itself is synced. Best effort: the rows are synced either way.
void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

FileSink::FileSink(FileSinkOptions options) : options_(std::move(options)) {
  if (options_.path.empty() || !options_.path.has_filename())
    throw std::invalid_argument("audit file sink: the path must name a file");
  if (options_.max_bytes == 0) throw std::invalid_argument("audit file sink: max_bytes must be positive");
  if (options_.max_files < 1) throw std::invalid_argument("audit file sink: max_files must be at least 1");
}

FileSink::~FileSink() { close_file(); }

void FileSink::write(const boost::json::array& rows) {
  if (rows.empty()) return;
  std::string lines;
  std::vector<std::size_t> ends;  // ends[i]: where row i's line ends in `lines`
  ends.reserve(rows.size());
  for (auto& row : rows) {
    lines += boost::json::serialize(row);  // escapes control characters: one row, one line
    lines += '\n';
    ends.push_back(lines.size());
  }
  std::lock_guard lock(mu_);
  // The same batch again after a split write failed part-way: its first
  // rows are already written (those before the failing file) and stay.
  std::size_t done = lines == failed_lines_ ? failed_rows_done_ : 0;
  failed_lines_.clear();
  try {
    while (done < rows.size()) done = write_some(lines, ends, done);
  } catch (...) {
    if (done > 0) {
      failed_lines_ = std::move(lines);
      failed_rows_done_ = done;
    }
    throw;
  }
}

// Writes rows [done, n) or as many of them as the current file holds, after
// rotating when they do not all fit; returns the first row not written.
std::size_t FileSink::write_some(const std::string& lines, const std::vector<std::size_t>& ends, std::size_t done) {
  const std::size_t begin = done == 0 ? 0 : ends[done - 1];
  std::uint64_t size = open_current();
  if (size > 0 && size + (lines.size() - begin) > options_.max_bytes) {
    rotate();
    size = open_current();
  }
  // At least one row: a row longer than max_bytes gets a file of its own.
  std::size_t end = done + 1;
  while (end < ends.size() && size + (ends[end] - begin) <= options_.max_bytes) ++end;
  append(std::string_view(lines).substr(begin, ends[end - 1] - begin), size);
  return end;
}

std::uint64_t FileSink::open_current() {
  struct stat open_file {}, named {};
  if (fd_ >= 0) {
    if (::fstat(fd_, &open_file) == 0 && ::stat(options_.path.c_str(), &named) == 0 &&
        open_file.st_dev == named.st_dev && open_file.st_ino == named.st_ino)
      return static_cast<std::uint64_t>(open_file.st_size);
    close_file();  // moved or removed by someone else: start a new file at the path
  }
  const auto dir = options_.path.parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) fail("cannot create its directory", ec.value());
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("cannot open", errno);
  if (::fstat(fd_, &open_file) != 0) fail("cannot stat", errno);
  sync_directory(dir);
  return static_cast<std::uint64_t>(open_file.st_size);
}

void FileSink::rotate() {
  close_file();
  const int kept = options_.max_files - 1;
  const std::string oldest = kept > 0 ? numbered(kept) : options_.path.string();
  if (::unlink(oldest.c_str()) != 0 && errno != ENOENT) fail("cannot remove " + oldest + " while rotating", errno);
  for (int n = kept - 1; n >= 1; --n) {
    std::string from = numbered(n), to = numbered(n + 1);
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) fail("cannot rename " + from + " while rotating", errno);
  }
  if (kept > 0 && ::rename(options_.path.c_str(), numbered(1).c_str()) != 0 && errno != ENOENT)
    fail("cannot rotate", errno);
  sync_directory(options_.path.parent_path());
}

// One buffer, appended with as few write() calls as the kernel allows. A
// short write is continued: the next call reports the cause (ENOSPC, EFBIG).
void FileSink::append(std::string_view lines, std::uint64_t size_before) {
  std::size_t done = 0;
  int error = 0;
  while (done < lines.size() && error == 0) {
    ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n > 0)
      done += static_cast<std::size_t>(n);
    else if (n == 0)
      error = EIO;
    else if (errno != EINTR)
      error = errno;
  }
  if (error == 0 && ::fdatasync(fd_) != 0) error = errno;
  if (error == 0) return;
  // Cut the partial batch off: the caller retries the same batch.
  std::string also;
  if (::ftruncate(fd_, static_cast<off_t>(size_before)) != 0)
    also = " (and cannot truncate it back to " + std::to_string(size_before) + " bytes: " + error_text(errno) + ")";
  fail("cannot write", error, also);
}

void FileSink::fail(const std::string& what, int error, const std::string& also) {
  close_file();  // reopened by the next write
  throw std::runtime_error("audit file sink " + options_.path.string() + ": " + what + ": " + error_text(error) + also);
}

std::string FileSink::numbered(int n) const { return options_.path.string() + "." + std::to_string(n); }

void FileSink::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace ambit::kernel
