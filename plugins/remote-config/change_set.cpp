#include "change_set.hpp"

namespace json = boost::json;

namespace remote_config {
namespace {

void toggle(Digest& into, const Digest& item) {
  for (std::size_t i = 0; i < into.size(); ++i) into[i] ^= item[i];
}

Digest from_hex(const std::string& hex_text) {
  Digest out{};
  if (hex_text.size() != out.size() * 2) return out;  // no hash yet: nothing XORed in
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(std::stoi(hex_text.substr(2 * i, 2), nullptr, 16));
  return out;
}

}  // namespace

Digest fingerprint(const Entry& e) {
  auto doc = json::array{json::value(e.key), json::value(e.value_type), e.value, conditions_json(e.conditions),
                         json::value(e.version)};
  return sha256({"key:", json::serialize(doc)});
}

Digest fingerprint(const Segment& s) {
  auto doc = json::array{json::value(s.name), json::value(s.match), rules_json(s.rules)};
  return sha256({"segment:", json::serialize(doc)});
}

std::string full_hash(const std::vector<Entry>& entries, const std::vector<Segment>& segments) {
  Digest all{};
  for (auto& e : entries) toggle(all, fingerprint(e));
  for (auto& s : segments) toggle(all, fingerprint(s));
  return hex(all.data(), all.size());
}

std::string xor_hash(const std::string& hash, const Digest& toggled) {
  Digest d = from_hex(hash);
  toggle(d, toggled);
  return hex(d.data(), d.size());
}

void ChangeSet::add(const char* kind, const std::string& name, json::value before, json::value after) {
  const char* change = before.is_null() ? "added" : after.is_null() ? "removed" : "changed";
  changes_.push_back(json::object{
      {"kind", kind}, {"name", name}, {"change", change}, {"before", std::move(before)}, {"after", std::move(after)}});
}

void ChangeSet::key(const std::optional<Entry>& before, const std::optional<Entry>& after) {
  if (before) toggle(toggled_, fingerprint(*before));
  if (after) toggle(toggled_, fingerprint(*after));
  add("key", before ? before->key : after->key, before ? json::value(entry_json(*before)) : json::value(nullptr),
      after ? json::value(entry_json(*after)) : json::value(nullptr));
}

void ChangeSet::segment(const std::optional<Segment>& before, const std::optional<Segment>& after) {
  if (before) toggle(toggled_, fingerprint(*before));
  if (after) toggle(toggled_, fingerprint(*after));
  add("segment", before ? before->name : after->name, before ? json::value(segment_json(*before)) : json::value(nullptr),
      after ? json::value(segment_json(*after)) : json::value(nullptr));
}

void undo(ConfigState& state, const json::array& changes) {
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    const auto& c = it->as_object();
    std::string name(c.at("name").as_string());
    const auto& before = c.at("before");
    if (c.at("kind") == json::value("key")) {
      if (before.is_null()) state.entries.erase(name);
      else state.entries[name] = entry_from_json(before.as_object());
    } else {
      if (before.is_null()) state.segments.erase(name);
      else state.segments[name] = segment_from_json(before.as_object());
    }
  }
}

}  // namespace remote_config
