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

IdentityStore::IdentityStore(sdk::Database& db, EventBus& events, const sdk::Clock& clock)
    : db_(db), events_(events), clock_(clock) {
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
  std::string normalized = normalize_email(email);
  sdk::User u;
  std::string hash;
  soci::indicator ind = soci::i_null;
  {
    auto s = db_.session();
    *s << "SELECT id, email, created_at, password_hash FROM ambit_users WHERE email = :e", soci::use(normalized),
        soci::into(u.id), soci::into(u.email), soci::into(u.created_at), soci::into(hash, ind);
    if (!s->got_data() || ind == soci::i_null) return std::nullopt;
  }
  if (!Botan::argon2_check_pwhash(password.data(), password.size(), hash)) return std::nullopt;
  return u;
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
    if (password->size() < 8 || password->size() > 1024)
      throw sdk::ApiError::invalid_input("password must be 8 to 1024 characters", "password");
    hash = Botan::argon2_generate_pwhash(password->data(), password->size(), Botan::system_rng(), kArgonParallelism,
                                         kArgonMemoryKiB, kArgonIterations, 2 /* Argon2id */);
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
