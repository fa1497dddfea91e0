#pragma once
// Durable jobs: enqueued inside the caller's transaction, run exactly once
// across every process sharing the database.
//
// A handler runs inside a transaction on the session it is given; the job is
// marked done in that same transaction, so its database effects and its
// completion commit together. If the handler throws, the transaction rolls
// back and the job is retried with exponential backoff until max_attempts,
// then it is `dead`. A job whose process died is picked up again once its
// lease expires. Side effects outside the database must be idempotent.

#include <boost/json.hpp>
#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace ambit::sdk {
inline namespace v1 {

struct JobSpec {
  std::string kind;               ///< the handler name, e.g. "projects.provision"
  boost::json::value payload;     ///< small JSON; ids rather than data
  std::string idempotency_key;    ///< same (kind, key) -> the existing job
  std::string id;                 ///< optional caller-chosen id; generated if empty
  std::chrono::milliseconds delay{0};
  int max_attempts = 5;
};

struct EnqueueResult {
  std::string job_id;
  bool created = false;  ///< false when the idempotency key matched an existing job
};

struct Job {
  std::string id;
  std::string kind;
  boost::json::value payload;
  int attempt = 1;  ///< 1 on the first run
};

struct JobInfo {
  std::string id;
  std::string kind;
  std::string status;  ///< queued | running | done | dead
  int attempts = 0;
  std::string last_error;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

using JobHandler = std::function<void(const Job&, soci::session& tx)>;

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  virtual EnqueueResult enqueue(soci::session& tx, const JobSpec& spec) = 0;
  virtual std::optional<JobInfo> find(const std::string& job_id) = 0;
  /// The same, on the caller's session: use it inside a transaction, where
  /// borrowing a second pooled session could wait forever on a full pool. (SDK 1.1)
  virtual std::optional<JobInfo> find_in(soci::session& s, const std::string& job_id) = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
