#include "compiled.hpp"

#include <boost/json.hpp>

#include "digest.hpp"
#include "rollout.hpp"

namespace json = boost::json;

namespace remote_config {

CompiledConfig::Fingerprint CompiledConfig::fingerprint(std::string_view text) {
  Digest d = sha256({text});
  Fingerprint f;
  for (int i = 0; i < 8; ++i) {
    f.hi = (f.hi << 8) | d[i];
    f.lo = (f.lo << 8) | d[8 + i];
  }
  return f;
}

CompiledConfig::CompiledConfig(const std::string& project_id, std::string version_hash,
                               const std::vector<Entry>& entries, std::vector<Segment> segments)
    : version_hash_(std::move(version_hash)), project_fp_(fingerprint(project_id)), segments_(std::move(segments)) {
  auto branch = [](const std::string& key, const json::value& value) {
    Branch b;
    b.fragment = json::serialize(json::string(key)) + ":" + json::serialize(value);
    b.fp = fingerprint(b.fragment);
    return b;
  };
  keys_.reserve(entries.size());
  for (const auto& e : entries) {
    Key k;
    k.key = e.key;
    k.rollout_hash = rollout_hash(e.key);
    k.branches.push_back(branch(e.key, e.value));
    for (const auto& c : e.conditions) {
      Cond cond;
      if (c.segment)
        for (std::size_t i = 0; i < segments_.size(); ++i)
          if (segments_[i].name == *c.segment) cond.segment = static_cast<int>(i);
      if (c.segment && cond.segment < 0) continue;  // cannot happen: a used segment cannot be deleted
      if (c.percentage) cond.threshold = rollout_threshold(*c.percentage);
      cond.branch = k.branches.size();
      k.branches.push_back(branch(e.key, c.value));
      k.conds.push_back(cond);
    }
    keys_.push_back(std::move(k));
  }
}

void CompiledConfig::evaluate(const EvalContext& ctx, bool with_body, Evaluation& out) const {
  // Each segment is evaluated at most once per request: -1 unknown, 0 no, 1 yes.
  std::vector<signed char> segment_state(segments_.size(), -1);
  auto in_segment = [&](int i) {
    auto& s = segment_state[static_cast<std::size_t>(i)];
    if (s < 0) s = matches(segments_[static_cast<std::size_t>(i)], ctx) ? 1 : 0;
    return s == 1;
  };
  Fingerprint acc = project_fp_;
  std::optional<std::uint64_t> user_hash;  // hashed once, on the first percentage condition
  if (with_body) {
    out.config_json.clear();
    out.config_json += '{';
  }
  bool first = true;
  for (const auto& k : keys_) {
    std::size_t chosen = 0;
    std::optional<std::uint32_t> bucket;
    for (const auto& c : k.conds) {
      if (c.segment >= 0 && !in_segment(c.segment)) continue;
      if (c.threshold) {
        if (ctx.user_id.empty()) continue;  // no user, no rollout
        if (!user_hash) user_hash = rollout_hash(ctx.user_id);
        if (!bucket) bucket = rollout_bucket(k.rollout_hash, *user_hash);
        if (*bucket >= *c.threshold) continue;
      }
      chosen = c.branch;
      break;
    }
    const Branch& b = k.branches[chosen];
    acc.hi ^= b.fp.hi;
    acc.lo ^= b.fp.lo;
    if (with_body) {
      if (!first) out.config_json += ',';
      out.config_json += b.fragment;
      first = false;
    }
  }
  if (with_body) out.config_json += '}';
  static constexpr char kHex[] = "0123456789abcdef";
  out.etag.resize(32);
  for (int i = 0; i < 16; ++i) {
    out.etag[static_cast<std::size_t>(i)] = kHex[(acc.hi >> (60 - 4 * i)) & 15];
    out.etag[static_cast<std::size_t>(16 + i)] = kHex[(acc.lo >> (60 - 4 * i)) & 15];
  }
}

void append_bundle(const Evaluation& e, std::string& out) {
  out += "{\"config\":";
  out += e.config_json;
  out += ",\"etag\":\"";
  out += e.etag;
  out += "\"}";
}

}  // namespace remote_config
