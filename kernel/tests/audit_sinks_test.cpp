// Audit sink delivery (AuditSinks) and the file sink: no database.
#include "audit/audit_sinks.hpp"
#include "audit/file_sink.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <latch>
#include <mutex>

#include "test_env.hpp"

using namespace ambit;
using ambit::test::eventually;
using ambit::test::TempDir;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

class RecordingLogger final : public sdk::Logger {
 public:
  struct Entry {
    sdk::LogLevel level;
    std::string message;
    json::object fields;
  };
  bool enabled(sdk::LogLevel) const override { return true; }
  void log(sdk::LogLevel level, std::string_view message, const json::object& fields) override {
    std::lock_guard lock(mu_);
    entries_.push_back({level, std::string(message), fields});
  }
  std::vector<Entry> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  std::vector<Entry> containing(std::string_view text) const {
    std::vector<Entry> out;
    for (auto& e : entries())
      if (e.message.find(text) != std::string::npos) out.push_back(e);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

// Fixed width: every row serializes to the same number of bytes.
json::object make_row(int i) {
  char id[16];
  std::snprintf(id, sizeof(id), "row-%06d", i);
  return {{"id", id},
          {"at", "2024-05-01T12:00:00.000Z"},
          {"tenant_id", "t-1"},
          {"user_id", nullptr},
          {"credential_type", "api_key"},
          {"credential_id", "k-1"},
          {"method", "GET"},
          {"route", "/v1/things/{id}"},
          {"operation", nullptr},
          {"tool", nullptr},
          {"status", 200},
          {"request_id", std::string("req-secret-") + id},
          {"client_ip", nullptr},
          {"legacy_mode", false}};
}

json::array make_rows(int first, int count) {
  json::array rows;
  for (int i = first; i < first + count; ++i) rows.push_back(make_row(i));
  return rows;
}

int row_number(const json::value& row) { return std::stoi(std::string(row.at("id").as_string()).substr(4)); }

std::vector<int> row_numbers(const json::array& rows) {
  std::vector<int> out;
  for (auto& r : rows) out.push_back(row_number(r));
  return out;
}

std::vector<int> range(int first, int count) {
  std::vector<int> out;
  for (int i = first; i < first + count; ++i) out.push_back(i);
  return out;
}

/// Records each write() call; throws on the first `fail_first` calls.
class RecordingSink final : public sdk::AuditSink {
 public:
  explicit RecordingSink(int fail_first = 0) : fail_left_(fail_first) {}
  void write(const json::array& rows) override {
    std::lock_guard lock(mu_);
    attempts_.push_back(rows);
    times_.push_back(Clock::now());
    if (fail_left_ != 0) {
      if (fail_left_ > 0) --fail_left_;
      throw std::runtime_error("sink unavailable");
    }
    for (auto& r : rows) written_.push_back(r);
  }
  std::vector<json::array> attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  std::vector<Clock::time_point> times() const {
    std::lock_guard lock(mu_);
    return times_;
  }
  std::vector<int> written() const {
    std::lock_guard lock(mu_);
    return row_numbers(written_);
  }

 private:
  mutable std::mutex mu_;
  int fail_left_;  ///< -1: always fails
  std::vector<json::array> attempts_;
  std::vector<Clock::time_point> times_;
  json::array written_;
};

/// The first write() blocks until release() (later ones do not).
class StuckSink final : public sdk::AuditSink {
 public:
  void write(const json::array& rows) override {
    if (!entered_.exchange(true)) release_.wait();
    std::lock_guard lock(mu_);
    for (auto& r : rows) written_.push_back(r);
    returned_ = true;
  }
  bool entered() const { return entered_; }
  bool returned() const { return returned_; }
  void release() { release_.count_down(); }
  std::vector<int> written() const {
    std::lock_guard lock(mu_);
    return row_numbers(written_);
  }

 private:
  std::latch release_{1};
  std::atomic<bool> entered_{false}, returned_{false};
  mutable std::mutex mu_;
  json::array written_;
};

kernel::AuditSinkStats stats_of(const kernel::AuditSinks& sinks, const std::string& name) {
  for (auto& s : sinks.stats())
    if (s.name == name) return s;
  ADD_FAILURE() << "no sink " << name;
  return {};
}

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The rows of the files oldest first (`<path>.N` … `<path>.1`, `<path>`);
/// every line must be one JSON object.
std::vector<int> rows_in_files(const fs::path& path, int max_files) {
  std::vector<fs::path> files;
  for (int n = max_files; n >= 1; --n) files.push_back(path.string() + "." + std::to_string(n));
  files.push_back(path);
  std::vector<int> out;
  for (auto& f : files)
    for (auto& line : read_lines(f)) {
      boost::system::error_code ec;
      auto row = json::parse(line, ec);
      EXPECT_FALSE(ec) << f << ": " << line;
      EXPECT_TRUE(!ec && row.is_object()) << f << ": " << line;
      if (!ec && row.is_object()) out.push_back(row_number(row));
    }
  return out;
}

std::size_t line_bytes() { return json::serialize(make_row(0)).size() + 1; }

}  // namespace

TEST(AuditSinks, RefusesDuplicateNamesAndNullSinks) {
  RecordingLogger log;
  kernel::AuditSinks sinks(log);
  EXPECT_TRUE(sinks.empty());
  sinks.add("siem", std::make_shared<RecordingSink>());
  EXPECT_FALSE(sinks.empty());
  EXPECT_THROW(sinks.add("siem", std::make_shared<RecordingSink>()), std::invalid_argument);
  EXPECT_THROW(sinks.add("other", nullptr), std::invalid_argument);
  ASSERT_EQ(sinks.stats().size(), 1u);
}

TEST(AuditSinks, DeliversEveryRowInOrderAndStopFlushesTheBacklog) {
  RecordingLogger log;
  auto a = std::make_shared<RecordingSink>();
  auto b = std::make_shared<RecordingSink>();
  kernel::AuditSinks sinks(log);
  sinks.add("a", a);
  sinks.add("b", b);
  sinks.start();
  for (int batch = 0; batch < 60; ++batch) {
    if (batch % 2 == 0) {
      sinks.deliver(make_rows(batch * 37, 37));
      continue;
    }
    // A caller's array in a memory resource that dies right after deliver().
    json::monotonic_resource scratch;
    json::array rows(&scratch);
    for (auto& row : make_rows(batch * 37, 37)) rows.push_back(row);
    const json::array& view = rows;
    sinks.deliver(view);
  }
  sinks.stop();  // delivers what is still queued
  for (auto& sink : {a, b}) EXPECT_EQ(sink->written(), range(0, 60 * 37));
  for (auto& s : sinks.stats()) {
    EXPECT_EQ(s.delivered, 60u * 37) << s.name;
    EXPECT_EQ(s.failures, 0u) << s.name;
    EXPECT_EQ(s.dropped, 0u) << s.name;
    EXPECT_EQ(s.backlog, 0u) << s.name;
  }
  // After stop: counted as dropped, never written.
  sinks.deliver(make_rows(5000, 3));
  EXPECT_EQ(stats_of(sinks, "a").dropped, 3u);
  EXPECT_EQ(a->written().size(), 60u * 37);
}

TEST(AuditSinks, RetriesTheSameBatchAfterABackoff) {
  RecordingLogger log;
  auto flaky = std::make_shared<RecordingSink>(3);
  kernel::AuditSinks sinks(log, {1000, std::chrono::milliseconds(20), std::chrono::milliseconds(40)});
  sinks.add("flaky", flaky);
  sinks.deliver(make_rows(0, 10));  // before start: one batch of 20
  sinks.deliver(make_rows(10, 10));
  sinks.start();
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "flaky").delivered == 20; }));
  sinks.deliver(make_rows(20, 5));
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "flaky").delivered == 25; }));
  sinks.stop();

  auto attempts = flaky->attempts();
  ASSERT_EQ(attempts.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(row_numbers(attempts[i]), range(0, 20)) << "attempt " << i;
  EXPECT_EQ(flaky->written(), range(0, 25));
  // retry_base * 2^(n-1), capped at retry_max.
  auto times = flaky->times();
  const std::chrono::milliseconds expected[] = {std::chrono::milliseconds(20), std::chrono::milliseconds(40),
                                                std::chrono::milliseconds(40)};
  for (int i = 0; i < 3; ++i)
    EXPECT_GE(times[i + 1] - times[i], expected[i]) << "retry " << i + 1;
  auto s = stats_of(sinks, "flaky");
  EXPECT_EQ(s.failures, 3u);
  EXPECT_EQ(s.dropped, 0u);

  auto warnings = log.containing("audit sink write failed");
  ASSERT_EQ(warnings.size(), 3u);
  for (auto& w : warnings) {
    EXPECT_EQ(w.level, sdk::LogLevel::warn);
    EXPECT_EQ(w.fields.at("sink"), "flaky");
    EXPECT_EQ(w.fields.at("error"), "sink unavailable");
    EXPECT_EQ(json::serialize(w.fields).find("req-secret"), std::string::npos) << "row contents logged";
  }
}

TEST(AuditSinks, DeliverNeverBlocksOnAStuckSinkAndDropsTheOldest) {
  RecordingLogger log;
  auto stuck = std::make_shared<StuckSink>();
  kernel::AuditSinks sinks(log, {100, std::chrono::milliseconds(10), std::chrono::milliseconds(10)});
  sinks.add("stuck", stuck);
  sinks.start();
  sinks.deliver(make_rows(0, 10));
  ASSERT_TRUE(eventually([&] { return stuck->entered(); }));

  auto start = Clock::now();
  for (int batch = 0; batch < 1000; ++batch) sinks.deliver(make_rows(10 + batch * 10, 10));
  EXPECT_LT(since(start), std::chrono::seconds(2));

  // The bound counts the batch being written (10) and the queue (90).
  auto s = stats_of(sinks, "stuck");
  EXPECT_EQ(s.backlog, 100u);
  EXPECT_EQ(s.dropped, 10000u - 90);
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(log.containing("backlog full").size(), 1u) << "logged once, not per deliver()";

  stuck->release();
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "stuck").delivered == 100; }));
  sinks.stop();
  auto expected = range(0, 10);
  for (int i : range(10010 - 90, 90)) expected.push_back(i);  // the newest rows survive, in order
  EXPECT_EQ(stuck->written(), expected);
  EXPECT_EQ(stats_of(sinks, "stuck").backlog, 0u);
}

TEST(AuditSinks, StopGivesUpOnAStuckSinkAfterGrace) {
  RecordingLogger log;
  auto stuck = std::make_shared<StuckSink>();
  auto healthy = std::make_shared<RecordingSink>();
  kernel::AuditSinks sinks(log);
  sinks.add("stuck", stuck);
  sinks.add("healthy", healthy);
  sinks.start();
  sinks.deliver(make_rows(0, 10));
  ASSERT_TRUE(eventually([&] { return stuck->entered(); }));
  sinks.deliver(make_rows(10, 5));

  auto start = Clock::now();
  sinks.stop(std::chrono::milliseconds(300));
  auto took = since(start);
  EXPECT_GE(took, std::chrono::milliseconds(290)) << "the sinks get the grace";
  EXPECT_LT(took, std::chrono::seconds(2));

  auto s = stats_of(sinks, "stuck");
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(s.dropped, 15u);
  EXPECT_EQ(s.backlog, 0u);
  auto h = stats_of(sinks, "healthy");
  EXPECT_EQ(h.delivered, 15u);
  EXPECT_EQ(h.dropped, 0u);
  EXPECT_EQ(healthy->written(), range(0, 15));
  auto dropped = log.containing("undelivered");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].fields.at("rows"), 15);
  EXPECT_EQ(dropped[0].fields.at("sinks"), (json::object{{"stuck", 15}}));

  // The detached thread returns without counting anything.
  stuck->release();
  ASSERT_TRUE(eventually([&] { return stuck->returned(); }));
  EXPECT_EQ(stats_of(sinks, "stuck").delivered, 0u);
}

TEST(AuditSinks, StopCutsABackoffShort) {
  RecordingLogger log;
  auto failing = std::make_shared<RecordingSink>(-1);
  kernel::AuditSinks sinks(log, {1000, std::chrono::seconds(10), std::chrono::seconds(30)});
  sinks.add("failing", failing);
  sinks.deliver(make_rows(0, 5));
  sinks.start();
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "failing").failures == 1; }));

  auto start = Clock::now();
  sinks.stop(std::chrono::milliseconds(300));
  EXPECT_LT(since(start), std::chrono::seconds(2));
  auto s = stats_of(sinks, "failing");
  EXPECT_EQ(s.failures, 2u) << "one more try at stop, then the 20 s backoff outlasts the grace";
  EXPECT_EQ(s.dropped, 5u);
  EXPECT_EQ(s.delivered, 0u);
}

TEST(FileSink, RotatesAndKeepsAtMostMaxFiles) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  const std::uint64_t two_batches = 6 * line_bytes();
  kernel::FileSink sink({path, two_batches, 3});
  for (int batch = 0; batch < 10; ++batch) sink.write(make_rows(batch * 3, 3));

  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path.string() + ".1"));
  EXPECT_TRUE(fs::exists(path.string() + ".2"));
  EXPECT_FALSE(fs::exists(path.string() + ".3"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 3);
  for (auto& f : fs::directory_iterator(dir.path())) EXPECT_LE(f.file_size(), two_batches) << f.path();
  // Two batches per file: the newest 3 files hold the last 6 batches.
  EXPECT_EQ(rows_in_files(path, 3), range(12, 18));
}

TEST(FileSink, LosesNoRowWithinTheBound) {
  TempDir dir;
  const auto path = dir.path() / "nested" / "audit.jsonl";  // the directory is created
  kernel::FileSink sink({path, 6 * line_bytes(), 5});
  for (int batch = 0; batch < 7; ++batch) sink.write(make_rows(batch * 3, 3));
  EXPECT_EQ(rows_in_files(path, 5), range(0, 21));
  EXPECT_FALSE(fs::exists(path.string() + ".4"));
  for (auto& f : fs::directory_iterator(path.parent_path())) {
    struct stat st {};
    ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f.path() << ": rows are sensitive";
  }
}

TEST(FileSink, OneFileStartsAfreshWhenFull) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  kernel::FileSink sink({path, 6 * line_bytes(), 1});
  for (int batch = 0; batch < 3; ++batch) sink.write(make_rows(batch * 3, 3));
  EXPECT_EQ(rows_in_files(path, 1), range(6, 3));
  EXPECT_FALSE(fs::exists(path.string() + ".1"));
}

TEST(FileSink, SplitsABatchLargerThanMaxBytesAcrossFiles) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  const std::uint64_t three_rows = 3 * line_bytes();
  kernel::FileSink sink({path, three_rows, 5});
  sink.write(make_rows(0, 2));
  sink.write(make_rows(2, 8));  // a backlog caught up: 8 rows, 3 per file
  for (auto& f : fs::directory_iterator(dir.path())) EXPECT_LE(f.file_size(), three_rows) << f.path();
  EXPECT_EQ(rows_in_files(path, 5), range(0, 10));
  EXPECT_EQ(read_lines(path.string() + ".3").size(), 2u) << "the batch did not fit: rotated first";
  EXPECT_EQ(read_lines(path).size(), 2u);
  EXPECT_FALSE(fs::exists(path.string() + ".4"));
}

// A split batch that fails after its first file: the retry resumes after the
// rows already written instead of writing them twice.
TEST(FileSink, ResumesASplitBatchAfterAFailure) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  kernel::FileSink sink({path, 3 * line_bytes(), 3});
  fs::create_directories(path.string() + ".2/in-the-way");  // rotation cannot remove it
  auto batch = make_rows(0, 9);
  EXPECT_THROW(sink.write(batch), std::runtime_error);
  EXPECT_EQ(rows_in_files(path, 1), range(0, 3)) << "the first file was written";
  fs::remove_all(path.string() + ".2");
  sink.write(batch);
  EXPECT_EQ(rows_in_files(path, 3), range(0, 9));
  sink.write(make_rows(9, 1));  // a new batch is written from its first row
  EXPECT_EQ(rows_in_files(path, 3), range(3, 7));
}

TEST(FileSink, RefusesBadOptions) {
  EXPECT_THROW(kernel::FileSink({"", 100, 5}), std::invalid_argument);
  EXPECT_THROW(kernel::FileSink({"/tmp/x/", 100, 5}), std::invalid_argument);
  EXPECT_THROW(kernel::FileSink({"/tmp/x", 0, 5}), std::invalid_argument);
  EXPECT_THROW(kernel::FileSink({"/tmp/x", 100, 0}), std::invalid_argument);
}

TEST(FileSink, StartsANewFileWhenItsFileIsMovedAway) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  kernel::FileSink sink({path, 1 << 20, 5});
  sink.write(make_rows(0, 3));
  fs::rename(path, dir.path() / "taken.jsonl");  // as logrotate does
  sink.write(make_rows(3, 3));
  EXPECT_EQ(rows_in_files(path, 1), range(3, 3));
  EXPECT_EQ(rows_in_files(dir.path() / "taken.jsonl", 1), range(0, 3));
}

// The file size limit (RLIMIT_FSIZE) makes the kernel accept part of the
// batch and then refuse with EFBIG: the partial batch must be cut off.
TEST(FileSink, CutsAPartialBatchOffSoTheRetryDoesNotDuplicate) {
  TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  kernel::FileSink sink({path, 1 << 20, 5});
  sink.write(make_rows(0, 3));
  const auto before = fs::file_size(path);

  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = before + line_bytes() * 3 / 2;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string error;
  try {
    sink.write(make_rows(3, 3));
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("too large"), std::string::npos) << error;  // strerror(EFBIG)
  EXPECT_EQ(fs::file_size(path), before) << "the partial batch is cut off";
  sink.write(make_rows(3, 3));  // the retry
  EXPECT_EQ(rows_in_files(path, 1), range(0, 6));
}

// Through AuditSinks: the failing batch is retried until the cause is fixed,
// then lands exactly once.
TEST(FileSink, FailsWhileItsDirectoryIsAFileThenWritesTheBatchOnce) {
  TempDir dir;
  const auto logs = dir.path() / "logs";
  const auto path = logs / "audit.jsonl";
  std::ofstream(logs) << "not a directory";
  RecordingLogger log;
  kernel::AuditSinks sinks(log, {1000, std::chrono::milliseconds(5), std::chrono::milliseconds(20)});
  const std::uint64_t max_bytes = 4 * line_bytes();  // the backlog caught up is split across files
  sinks.add("file", std::make_shared<kernel::FileSink>(kernel::FileSinkOptions{path, max_bytes, 5}));
  sinks.deliver(make_rows(0, 10));
  sinks.start();
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "file").failures >= 2; }));
  auto warnings = log.containing("audit sink write failed");
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].fields.at("error").as_string().find(path.string()), std::string::npos)
      << warnings[0].fields.at("error");

  fs::remove(logs);
  ASSERT_TRUE(eventually([&] { return stats_of(sinks, "file").delivered == 10; }));
  sinks.deliver(make_rows(10, 5));
  sinks.stop();
  EXPECT_EQ(rows_in_files(path, 5), range(0, 15));
  for (auto& f : fs::directory_iterator(logs)) EXPECT_LE(f.file_size(), max_bytes) << f.path();
  EXPECT_EQ(stats_of(sinks, "file").dropped, 0u);
}
