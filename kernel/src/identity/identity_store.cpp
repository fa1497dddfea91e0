#include "identity/identity_store.hpp"

#include <botan/argon2.h>
#include <botan/system_rng.h>
#include <soci/soci.h>

#include <algorithm>
#include <mutex>

#include "ambit/sdk/error.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {

// Argon2id parameters (RFC 9106 "second recommended" memory-constrained option).
constexpr std::size_t kArgonParallelism = 1, kArgonMemoryKiB = 65536, kArgonIterations = 3;

std::string member_key(std::string_view tenant, std::string_view user) {
  std::string k(tenant);
  k += '\n';
  k += user;
  return k;
}

}  // namespace

std::string normalize_email(const std::string& email) {
  auto b = email.find_first_not_of(" \t");
  auto e = email.find_last_not_of(" \t");
  if (b == std::string::npos) return {};
  std::string out = email.substr(b, e - b + 1);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  auto at = out.find('@');
  if (out.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= out.size() ||
      out.find('@', at + 1) != std::string::npos || out.find(' ') != std::string::npos)
    return {};
  return out;
}

/// Holds one of the password slots for the life of an Argon2 run.
class IdentityStore::Slot {
 public:
  explicit Slot(std::counting_semaphore<>& slots) : slots_(slots), held_(slots.try_acquire()) {}
  ~Slot() {
    if (held_) slots_.release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  explicit operator bool() const { return held_; }

 private:
  std::counting_semaphore<>& slots_;
  bool held_;
};

IdentityStore::IdentityStore(sdk::Database& db, EventBus& events, const sdk::Clock& clock, const IdentityConfig& config)
    : db_(db),
      events_(events),
      clock_(clock),
      config_(config),
      password_slots_(std::max(1, config.sign_in_concurrency)),
      per_account_(config.free_failures_per_account, config.max_delay, config.failure_window),
      per_address_(config.free_failures_per_address, config.max_delay, config.failure_window) {
  events_.subscribe(sdk::kMembershipChangedTopic, [this](std::string_view, std::string_view payload) { forget(payload); });
  events_.subscribe("*", [this](std::string_view, std::string_view) {
    std::unique_lock lock(mu_);
    members_.clear();
  });
}

void IdentityStore::forget(std::string_view key) {
  std::unique_lock lock(mu_);
  members_.erase(std::string(key));
}

std::optional<sdk::Member> IdentityStore::member(const std::string& tenant_id, const std::string& user_id) {
  std::string key = member_key(tenant_id, user_id);
  {
    std::shared_lock lock(mu_);
    if (auto it = members_.find(key); it != members_.end()) return it->second;
  }
  std::optional<sdk::Member> found;
  {
    auto s = db_.session();
    sdk::Member m;
    *s << "SELECT m.tenant_id, m.user_id, u.email, m.role, m.created_at FROM ambit_memberships m"
          " JOIN ambit_users u ON u.id = m.user_id WHERE m.tenant_id = :t AND m.user_id = :u",
        soci::use(tenant_id), soci::use(user_id), soci::into(m.tenant_id), soci::into(m.user_id), soci::into(m.email),
        soci::into(m.role), soci::into(m.created_at);
    if (s->got_data()) found = std::move(m);
  }
  std::unique_lock lock(mu_);
  if (members_.size() > 200000) members_.clear();  // bound memory; entries reload on demand
  members_[key] = found;
  return found;
}

std::vector<sdk::Member> IdentityStore::members(const std::string& tenant_id) {
  return member_rows("m.tenant_id = :id ORDER BY m.created_at, u.email", tenant_id);
}

std::vector<sdk::Member> IdentityStore::members_page(const std::string& tenant_id,
                                                    const std::optional<sdk::TimeIdKey>& after, int fetch) {
  sdk::TimeIdAfter k(after);  // the key's id is the member's email
  std::vector<sdk::Member> out;
  auto s = db_.session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT m.tenant_id, m.user_id, u.email, m.role, m.created_at FROM ambit_memberships m"
                     " JOIN ambit_users u ON u.id = m.user_id WHERE m.tenant_id = :t AND "
                  << k.sql("m.created_at", "u.email") << " ORDER BY " << k.order_by("m.created_at", "u.email")
                  << " LIMIT :n",
       soci::use(tenant_id), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id), soci::use(fetch));
  for (auto& r : rows)
    out.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                   r.get<long long>(4)});
  return out;
}

std::vector<sdk::Member> IdentityStore::memberships(const std::string& user_id) {
  return member_rows("m.user_id = :id ORDER BY m.created_at, m.tenant_id", user_id);
}

std::vector<sdk::Member> IdentityStore::member_rows(const std::string& where, const std::string& id) {
  std::vector<sdk::Member> out;
  auto s = db_.session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT m.tenant_id, m.user_id, u.email, m.role, m.created_at FROM ambit_memberships m"
                     " JOIN ambit_users u ON u.id = m.user_id WHERE " << where,
       soci::use(id));
  for (auto& r : rows)
    out.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                   r.get<long long>(4)});
  return out;
}

std::optional<sdk::Tenant> IdentityStore::tenant(const std::string& tenant_id) {
  auto s = db_.session();
  sdk::Tenant t;
  *s << "SELECT id, name, created_at FROM ambit_tenants WHERE id = :i", soci::use(tenant_id), soci::into(t.id),
      soci::into(t.name), soci::into(t.created_at);
  if (!s->got_data()) return std::nullopt;
  return t;
}

std::optional<sdk::User> IdentityStore::user_by_email(const std::string& email) {
  std::string normalized = normalize_email(email);
  auto s = db_.session();
  sdk::User u;
  *s << "SELECT id, email, created_at FROM ambit_users WHERE email = :e", soci::use(normalized), soci::into(u.id),
      soci::into(u.email), soci::into(u.created_at);
  if (!s->got_data()) return std::nullopt;
  return u;
}

std::optional<sdk::User> IdentityStore::verify_password(const std::string& email, const std::string& password) {
  auto result = sign_in(email, password, "");
  if (result.retry_after_s > 0)
    throw sdk::ApiError(429, "too_many_requests", "too many sign-in attempts; retry later",
                        {{"retry_after", result.retry_after_s}});
  return result.user;
}

sdk::SignIn IdentityStore::sign_in(const std::string& email, const std::string& password,
                                   const std::string& client_address) {
  const std::string account = normalize_email(email);
  const std::string address = "addr:" + client_address;
  std::int64_t now = clock_.now_ms();
  std::int64_t wait = std::max(per_account_.wait_ms("acct:" + account, now), per_address_.wait_ms(address, now));
  if (wait > 0) return {std::nullopt, static_cast<int>((wait + 999) / 1000)};
  Slot slot(password_slots_);
  if (!slot) return {std::nullopt, 1};
  auto user = check_password(account, password);
  if (user) {
    per_account_.succeeded("acct:" + account);
  } else {
    per_account_.failed("acct:" + account, now);
    per_address_.failed(address, now);
  }
  return {std::move(user), 0};
}

std::optional<sdk::User> IdentityStore::check_password(const std::string& normalized_email,
                                                       const std::string& password) {
  sdk::User u;
  std::string hash;
  soci::indicator ind = soci::i_null;
  if (!normalized_email.empty()) {
    auto s = db_.session();
    *s << "SELECT id, email, created_at, password_hash FROM ambit_users WHERE email = :e", soci::use(normalized_email),
        soci::into(u.id), soci::into(u.email), soci::into(u.created_at), soci::into(hash, ind);
    if (!s->got_data()) ind = soci::i_null;
  }
  // Unknown email or no password: the same Argon2 run, so timing tells nothing.
  bool known = ind == soci::i_ok;
  std::call_once(dummy_once_, [this] {
    dummy_hash_ = Botan::argon2_generate_pwhash("no such user", 12, Botan::system_rng(), kArgonParallelism,
                                                kArgonMemoryKiB, kArgonIterations, 2 /* Argon2id */);
  });
  bool match = Botan::argon2_check_pwhash(password.data(), password.size(), known ? hash : dummy_hash_);
  if (!known || !match) return std::nullopt;
  return u;
}

std::string IdentityStore::hash_password(const std::string& password) {
  if (password.size() < 8 || password.size() > 1024)
    throw sdk::ApiError::invalid_input("password must be 8 to 1024 characters", "password");
  Slot slot(password_slots_);
  if (!slot)
    throw sdk::ApiError(429, "too_many_requests", "the server is busy checking passwords; retry in a second",
                        {{"retry_after", 1}});
  return Botan::argon2_generate_pwhash(password.data(), password.size(), Botan::system_rng(), kArgonParallelism,
                                       kArgonMemoryKiB, kArgonIterations, 2 /* Argon2id */);
}

void IdentityStore::set_password(soci::session& tx, const std::string& user_id, const std::string& password_hash) {
  tx << "UPDATE ambit_users SET password_hash = :h WHERE id = :i", soci::use(password_hash), soci::use(user_id);
}

std::string IdentityStore::standing_role(const std::string& tenant_id, const std::string& user_id,
                                         std::int64_t issued_at) {
  auto m = member(tenant_id, user_id);
  // A credential from an earlier membership stays dead when its user is added back.
  if (!m || issued_at < m->created_at) return {};
  return m->role;
}

std::vector<std::string> IdentityStore::effective_scopes(std::string_view role,
                                                         const std::vector<std::string>& issued) const {
  const auto& allowed = catalog_.issuable(role);
  std::vector<std::string> sorted(issued);
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  std::set_intersection(sorted.begin(), sorted.end(), allowed.begin(), allowed.end(), std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string IdentityStore::scope_beyond(const sdk::Principal& caller, const std::vector<std::string>& scopes) const {
  const auto& bundle = catalog_.role_scopes(caller.role);
  bool whole_bundle = !bundle.empty() && std::all_of(bundle.begin(), bundle.end(),
                                                     [&](const std::string& s) { return caller.has_scope(s); });
  const auto& issuable = catalog_.issuable(caller.role);
  for (const auto& scope : scopes) {
    if (caller.has_scope(scope)) continue;
    bool dedicated_ok = catalog_.dedicated(scope) && whole_bundle &&
                        std::binary_search(issuable.begin(), issuable.end(), scope);
    if (!dedicated_ok) return scope;
  }
  return {};
}

void IdentityStore::check_role_ceiling(const sdk::Principal& caller, std::string_view role) const {
  if (ScopeCatalog::rank(role) > ScopeCatalog::rank(caller.role))
    throw sdk::ApiError(403, "forbidden",
                        "you cannot act on a member whose role (" + std::string(role) + ") is above yours (" +
                            (caller.role.empty() ? std::string("none") : caller.role) + ")",
                        {{"reason", "role_above_caller"}});
}

void IdentityStore::check_role_grant(const sdk::Principal& caller, const std::string& role) const {
  if (!is_role(role)) throw sdk::ApiError::invalid_input("role must be viewer, editor, admin or owner", "role");
  check_role_ceiling(caller, role);
  // A narrowed credential cannot hand out a role broader than itself.
  for (const auto& scope : role_scopes(role))
    if (!caller.has_scope(scope))
      throw sdk::ApiError(403, "forbidden",
                          "granting the role " + role + " needs a credential holding its scopes; missing " + scope,
                          {{"reason", "scope_above_caller"}, {"missing_scope", scope}});
}

sdk::Tenant IdentityStore::create_tenant(soci::session& tx, const std::string& name) {
  sdk::Tenant t{new_uuid(), name, clock_.now_ms()};
  tx << "INSERT INTO ambit_tenants (id, name, created_at) VALUES (:i, :n, :c)", soci::use(t.id), soci::use(t.name),
      soci::use(t.created_at);
  return t;
}

sdk::User IdentityStore::create_user(soci::session& tx, const std::string& email,
                                     const std::optional<std::string>& password) {
  std::string normalized = normalize_email(email);
  if (normalized.empty()) throw sdk::ApiError::invalid_input("email is not a valid address", "email");
  int taken = 0;
  tx << "SELECT COUNT(*) FROM ambit_users WHERE email = :e", soci::use(normalized), soci::into(taken);
  if (taken) throw sdk::ApiError(409, "EMAIL_TAKEN", "a user with this email exists", {{"field", "email"}});
  sdk::User u{new_uuid(), normalized, clock_.now_ms()};
  std::string hash;
  soci::indicator ind = soci::i_null;
  if (password) {
    hash = hash_password(*password);
    ind = soci::i_ok;
  }
  tx << "INSERT INTO ambit_users (id, email, password_hash, created_at) VALUES (:i, :e, :h, :c)", soci::use(u.id),
      soci::use(u.email), soci::use(hash, ind), soci::use(u.created_at);
  return u;
}

sdk::Member IdentityStore::add_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                                      const std::string& role) {
  if (!is_role(role)) throw sdk::ApiError::invalid_input("role must be viewer, editor, admin or owner", "role");
  int already = 0;
  tx << "SELECT COUNT(*) FROM ambit_memberships WHERE tenant_id = :t AND user_id = :u", soci::use(tenant_id),
      soci::use(user_id), soci::into(already);
  if (already) throw sdk::ApiError(409, "ALREADY_MEMBER", "this user is already a member");
  sdk::Member m{tenant_id, user_id, "", role, clock_.now_ms()};
  tx << "INSERT INTO ambit_memberships (tenant_id, user_id, role, created_at) VALUES (:t, :u, :r, :c)",
      soci::use(tenant_id), soci::use(user_id), soci::use(role), soci::use(m.created_at);
  tx << "SELECT email FROM ambit_users WHERE id = :u", soci::use(user_id), soci::into(m.email);
  changed(tx, tenant_id, user_id);
  return m;
}

void IdentityStore::set_role(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                             const std::string& role) {
  if (!is_role(role)) throw sdk::ApiError::invalid_input("role must be viewer, editor, admin or owner", "role");
  tx << "UPDATE ambit_memberships SET role = :r WHERE tenant_id = :t AND user_id = :u", soci::use(role),
      soci::use(tenant_id), soci::use(user_id);
  changed(tx, tenant_id, user_id);
}

void IdentityStore::remove_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id) {
  tx << "DELETE FROM ambit_memberships WHERE tenant_id = :t AND user_id = :u", soci::use(tenant_id),
      soci::use(user_id);
  changed(tx, tenant_id, user_id);
}

void IdentityStore::changed(soci::session& tx, const std::string& tenant_id, const std::string& user_id) {
  // Drops the cached membership here at once and in other processes on commit.
  events_.publish(tx, sdk::kMembershipChangedTopic, member_key(tenant_id, user_id));
}

}  // namespace ambit::kernel
