#pragma once
// The first-party audit sink: JSON Lines appended to a file (one row per
// line), e.g. for a SIEM agent to ingest. Files are created 0600 (rows name
// users, credentials and client addresses) and each batch is synced before
// write() returns.
//
// Before a batch would take a non-empty file past max_bytes, the file is
// rotated: `<path>.1` is the newest old file, up to `<path>.<max_files-1>`;
// older ones are removed. A batch larger than max_bytes (a backlog caught up
// after a failure) is split across files at row boundaries, so no file
// passes max_bytes unless one row alone does. A file moved or removed by
// someone else (e.g. logrotate) is noticed at the next batch, which starts a
// new file at path.
//
// A retried batch never duplicates lines: on any error the file is cut back
// to its size before the write, and the rows of a split batch already in
// rotated files are remembered, so the same batch again resumes after them.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/audit.hpp"

namespace ambit::kernel {

struct FileSinkOptions {
  std::filesystem::path path;
  std::uint64_t max_bytes = 100ull << 20;  ///< per file; a single larger batch still goes into one file
  int max_files = 5;                       ///< the live file included
};

class FileSink final : public sdk::AuditSink {
 public:
  /// Throws std::invalid_argument on an empty path, max_bytes 0 or max_files < 1.
  /// Opens nothing yet: the first write() creates the directory and the file.
  explicit FileSink(FileSinkOptions options);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  /// Throws std::runtime_error naming the path and the cause.
  void write(const boost::json::array& rows) override;

 private:
  std::size_t write_some(const std::string& lines, const std::vector<std::size_t>& ends, std::size_t done);
  std::uint64_t open_current();  ///< returns the file's size
  void rotate();
  void append(std::string_view lines, std::uint64_t size_before);
  [[noreturn]] void fail(const std::string& what, int error, const std::string& also = {});
  std::string numbered(int n) const;
  void close_file();

  FileSinkOptions options_;
  std::mutex mu_;
  int fd_ = -1;
  std::string failed_lines_;  ///< a split batch that failed part-way…
  std::size_t failed_rows_done_ = 0;  ///< …and how many of its rows were written
};

}  // namespace ambit::kernel
