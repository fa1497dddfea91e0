#pragma once
// CredentialKit: what every cache-backed authenticator shares, written once
// so that a fix lands once (SDK 1.3):
//   * the keyed-hash lookup of a secret (Keyring::mac under the plugin's
//     purpose: the database never holds a credential in plaintext);
//   * the in-memory cache of verified credentials (InvalidatingCache), with
//     generation-guarded loads and "known absent" entries for unknown
//     hashes, so a valid credential costs no database round trip and a
//     stream of bad ones costs one lookup each per TTL;
//   * invalidation by predicate (a revoked key, a deleted grant), and
//     wholesale (the events connection reconnected);
//   * an optional re-read after `recheck_ms`, for changes no event reports;
//   * last-used batching (UsageRecorder), queued at most once a second per
//     credential.
// An authenticator keeps what is its own: which tokens it claims, how a
// record is loaded, what fills an entry (for user credentials, the identity
// core's standing role and effective scopes: see stand()), and the decision.
//
//   CredentialKit<KeyRecord> kit{ctx, "my-plugin", 100000, 30000};
//   std::optional<AuthResult> authenticate_cached(std::string_view t) override {
//     return kit.cached(t, now, [&](const auto& e) { return std::optional(decide(e)); });
//   }
//   AuthResult authenticate(std::string_view t) override {
//     return kit.verify(t, now, load_by_hash, fill, decide);
//   }

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/context.hpp"
#include "ambit/sdk/identity.hpp"
#include "ambit/sdk/usage.hpp"

namespace ambit::sdk {
inline namespace v1 {

template <class Record>
class CredentialKit {
 public:
  /// A verified credential in memory.
  struct Entry {
    Record record;
    /// User credentials: the user's standing role ("" when the credential
    /// no longer stands) and the effective scopes, computed once per load
    /// (a membership change drops the entry). Unused for other credentials.
    std::string role;
    std::vector<std::string> scopes;
    std::int64_t loaded_at = 0;
    /// When this entry last queued a last-used mark (at most one a second).
    mutable std::atomic<std::int64_t> last_marked_ms{0};
  };
  using Entries = InvalidatingCache<Entry>;

  /// `purpose`: the keyring purpose the hashes are made under (the plugin's
  /// name, typically). `recheck_ms` > 0: a cached entry older than that is
  /// read from the database again. Constructible in setup(); hashing needs
  /// the keyring, so from start() on.
  CredentialKit(Context& ctx, std::string purpose, std::size_t max_entries, std::int64_t absent_ttl_ms,
                std::int64_t recheck_ms = 0)
      : ctx_(ctx), purpose_(std::move(purpose)), entries_(max_entries, absent_ttl_ms), recheck_ms_(recheck_ms) {}

  /// The keyed hash a credential is stored and cached under.
  std::string hash(std::string_view token) const { return ctx_.keyring().mac(purpose_, token); }

  /// From memory only: `decide(entry)` for a cached credential (it returns
  /// std::optional<AuthResult>: nullopt when it needs I/O itself),
  /// "unknown" for a hash known to be absent, nullopt on a miss.
  template <class Decide>
  std::optional<AuthResult> cached(std::string_view token, std::int64_t now_ms, Decide&& decide) const {
    auto found = entries_.find(hash(token), now_ms);
    if (found.kind == Entries::Kind::absent) return AuthResult::rejected("unknown");
    if (found.kind == Entries::Kind::miss || stale(*found.value, now_ms)) return std::nullopt;
    return decide(*found.value);
  }

  /// Memory first, then `load(hash)` -> std::optional<Record> (the
  /// database); `fill(Entry&)` completes a fresh entry before it is cached;
  /// `decide(entry)` -> AuthResult (it may block).
  template <class Load, class Fill, class Decide>
  AuthResult verify(std::string_view token, std::int64_t now_ms, Load&& load, Fill&& fill, Decide&& decide) {
    std::string key = hash(token);
    auto found = entries_.find(key, now_ms);
    if (found.kind == Entries::Kind::absent) return AuthResult::rejected("unknown");
    if (found.kind == Entries::Kind::hit && !stale(*found.value, now_ms)) return decide(*found.value);
    std::uint64_t generation = entries_.generation();
    std::optional<Record> record = load(key);
    if (!record) {
      entries_.put_absent(key, now_ms, generation);
      return AuthResult::rejected("unknown");
    }
    auto entry = std::make_shared<Entry>();
    entry->record = std::move(*record);
    entry->loaded_at = now_ms;
    fill(*entry);
    entries_.put(key, entry, generation);
    return decide(*entry);
  }

  /// Queue `id`'s last use, at most once a second per entry (the shared
  /// batch and its lock stay off the hot path).
  void mark_used(const Entry& entry, const std::string& id, std::int64_t now_ms) {
    if (now_ms - entry.last_marked_ms.load(std::memory_order_relaxed) < 1000) return;
    entry.last_marked_ms.store(now_ms, std::memory_order_relaxed);
    usage_.mark(id, now_ms);
  }

  /// Drop the cached credentials whose record matches (revoked, deleted...).
  template <class Pred>
  void forget_if(Pred&& pred) {
    entries_.erase_if([&](const Entry& e) { return pred(e.record); });
  }
  /// Drop one credential by its hash.
  void forget_hash(const std::string& key) { entries_.erase(key); }
  /// Drop everything: the events connection reconnected, some events may be lost.
  void clear() { entries_.clear(); }

  UsageRecorder& usage() { return usage_; }

 private:
  bool stale(const Entry& e, std::int64_t now_ms) const { return recheck_ms_ > 0 && now_ms - e.loaded_at >= recheck_ms_; }

  Context& ctx_;
  std::string purpose_;
  mutable Entries entries_;
  std::int64_t recheck_ms_;
  UsageRecorder usage_;
};

/// A user credential's entry: the identity core's standing role for a
/// credential of (tenant, user) issued at `issued_at`, and, while it
/// stands, its effective scopes. Every user-credential authenticator fills
/// its entries with this, so the membership rules live in one place.
template <class Entry>
void stand(Identity& identity, Entry& entry, const std::string& tenant_id, const std::string& user_id,
           std::int64_t issued_at, const std::vector<std::string>& issued_scopes) {
  entry.role = identity.standing_role(tenant_id, user_id, issued_at);
  entry.scopes.clear();
  if (!entry.role.empty()) entry.scopes = identity.effective_scopes(entry.role, issued_scopes);
}

/// The payload of kMembershipChangedTopic ("<tenant>\n<user>") split, or
/// nullopt when malformed. Subscribers drop that user's cached credentials.
inline std::optional<std::pair<std::string_view, std::string_view>> membership_change(std::string_view payload) {
  auto nl = payload.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  return std::pair{payload.substr(0, nl), payload.substr(nl + 1)};
}

}  // namespace v1
}  // namespace ambit::sdk
