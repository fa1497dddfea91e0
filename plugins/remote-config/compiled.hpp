#pragma once
// A project's config compiled for the client endpoint: every value already
// serialized as a `"key":value` fragment with a 128-bit fingerprint, segment
// references resolved to indexes, percentages to bucket thresholds. An
// evaluation picks one fragment per key; the ETag is the XOR of the chosen
// fragments' fingerprints (and the project's), so it changes exactly when the
// evaluated result does.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "entries.hpp"
#include "segments.hpp"

namespace remote_config {

struct Evaluation {
  std::string etag;         ///< 32 lower-case hex characters, unquoted
  std::string config_json;  ///< {"key":value,...}; only when asked for
};

/// Appends {"config":{...},"etag":"..."} to `out`: what a client receives, as
/// the GET's `data` and as a stream event's data. One line (serialized JSON).
void append_bundle(const Evaluation& e, std::string& out);

class CompiledConfig {
 public:
  CompiledConfig(const std::string& project_id, std::string version_hash, const std::vector<Entry>& entries,
                 std::vector<Segment> segments);

  const std::string& version_hash() const { return version_hash_; }
  void evaluate(const EvalContext& ctx, bool with_body, Evaluation& out) const;

 private:
  struct Fingerprint {
    std::uint64_t hi = 0, lo = 0;
  };
  struct Branch {
    std::string fragment;
    Fingerprint fp;
  };
  struct Cond {
    int segment = -1;  ///< index into segments_, -1 for none
    std::optional<std::uint32_t> threshold;
    std::size_t branch = 0;
  };
  struct Key {
    std::string key;
    std::uint64_t rollout_hash = 0;  ///< rollout_hash(key)
    std::vector<Cond> conds;
    std::vector<Branch> branches;  ///< [0] is the entry's own value
  };
  static Fingerprint fingerprint(std::string_view text);

  std::string version_hash_;
  Fingerprint project_fp_;
  std::vector<Segment> segments_;
  std::vector<Key> keys_;
};

}  // namespace remote_config
