#pragma once
// What one write changed, as a config version records it, and the version
// hash kept up to date from it.
//
// The version hash is the XOR of one SHA-256 per key and per segment over
// its content (value, type, conditions, the key's version, the segment's
// match and rules; not descriptions or timestamps). Equal content hashes
// alike, and a write updates the hash from the old and new fingerprints of
// what it changed: the same cost at 20 keys and at 5,000.

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "digest.hpp"
#include "entries.hpp"
#include "segments.hpp"

namespace remote_config {

Digest fingerprint(const Entry& e);
Digest fingerprint(const Segment& s);
/// The hash of a whole project's content (a project whose stored hash predates incremental hashing).
std::string full_hash(const std::vector<Entry>& entries, const std::vector<Segment>& segments);
/// `hash` (hex, or empty for nothing yet) with `toggled` XORed in.
std::string xor_hash(const std::string& hash, const Digest& toggled);

class ChangeSet {
 public:
  /// A key added (no before), changed, or removed (no after).
  void key(const std::optional<Entry>& before, const std::optional<Entry>& after);
  void segment(const std::optional<Segment>& before, const std::optional<Segment>& after);
  bool empty() const { return changes_.empty(); }
  /// [{"kind": "key"|"segment", "name", "change": "added"|"changed"|"removed", "before", "after"}]
  const boost::json::array& json() const { return changes_; }
  /// The XOR of the fingerprints of every before and after.
  const Digest& toggled() const { return toggled_; }

 private:
  void add(const char* kind, const std::string& name, boost::json::value before, boost::json::value after);
  boost::json::array changes_;
  Digest toggled_{};
};

/// A project's keys and segments by name: the content a version stood for.
struct ConfigState {
  std::map<std::string, Entry> entries;
  std::map<std::string, Segment> segments;
};

/// Take back the changes of one version record (its "changes" array).
void undo(ConfigState& state, const boost::json::array& changes);

}  // namespace remote_config
