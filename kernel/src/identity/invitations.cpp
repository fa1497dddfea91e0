#include "identity/invitations.hpp"

#include <soci/soci.h>

#include <chrono>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/time.hpp"
#include "ambit/sdk/tokens.hpp"
#include "identity/identity_routes.hpp"
#include "util/ids.hpp"

namespace ambit::kernel {
namespace {

constexpr const char* kPurpose = "kernel.identity";
constexpr const char* kColumns =
    "id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at";

Invitation from_row(const soci::row& r) {
  Invitation i;
  i.id = r.get<std::string>(0);
  i.tenant_id = r.get<std::string>(1);
  i.email = r.get<std::string>(2);
  i.role = r.get<std::string>(3);
  i.invited_by = r.get<std::string>(4);
  i.created_at = r.get<long long>(5);
  i.expires_at = r.get<long long>(6);
  if (r.get_indicator(7) == soci::i_ok) i.accepted_at = r.get<long long>(7);
  if (r.get_indicator(8) == soci::i_ok) i.accepted_by = r.get<std::string>(8);
  if (r.get_indicator(9) == soci::i_ok) i.revoked_at = r.get<long long>(9);
  return i;
}

std::optional<Invitation> find(soci::session& s, const std::string& where, const std::string& key) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns << " FROM ambit_invitations WHERE " << where, soci::use(key));
  for (auto& r : rows) return from_row(r);
  return std::nullopt;
}

[[noreturn]] void unusable(const Invitation& i, std::int64_t now) {
  std::string status = i.status(now);
  if (status == "expired") throw sdk::ApiError(410, "INVITATION_EXPIRED", "this invitation has expired; ask for a new one");
  if (status == "accepted") throw sdk::ApiError(410, "INVITATION_USED", "this invitation was already accepted");
  throw sdk::ApiError::not_found("no such invitation");
}

std::int64_t ms(std::chrono::milliseconds d) { return d.count(); }

}  // namespace

std::string Invitation::status(std::int64_t now_ms) const {
  if (accepted_at) return "accepted";
  if (revoked_at) return "revoked";
  if (expires_at <= now_ms) return "expired";
  return "pending";
}

Invitations::Invitations(sdk::Database& db, IdentityStore& identity, sdk::Keyring& keyring, const sdk::Clock& clock,
                         const std::string& public_url)
    : db_(db), identity_(identity), keyring_(keyring), clock_(clock), public_url_(&public_url) {}

std::string Invitations::hash(const std::string& token) { return keyring_.mac(kPurpose, token); }

Invitations::Created Invitations::invite(const sdk::Principal& inviter, const std::string& email,
                                         const std::string& role) {
  std::string normalized = normalize_email(email);
  if (normalized.empty()) throw sdk::ApiError::invalid_input("email is not a valid address", "email");
  identity_.check_role_grant(inviter, role);
  if (auto user = identity_.user_by_email(normalized); user && identity_.member(inviter.tenant_id, user->id))
    throw sdk::ApiError::conflict("ALREADY_MEMBER", "this user is already a member");
  Created c;
  auto& i = c.invitation;
  i.id = sdk::random_id(keyring_, "inv_");
  i.tenant_id = inviter.tenant_id;
  i.email = normalized;
  i.role = role;
  i.invited_by = inviter.user_id;
  i.created_at = clock_.now_ms();
  i.expires_at = i.created_at + ms(identity_.config().invitation_ttl);
  c.token = "amb_inv_" + sdk::random_base62(keyring_, 43);
  c.url = public_url() + "/invitations/accept?token=" + c.token;
  std::string token_hash = hash(c.token);
  db_.transaction([&](soci::session& tx) {
    tx << "INSERT INTO ambit_invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at)"
          " VALUES (:i, :t, :e, :r, :h, :b, :c, :x)",
        soci::use(i.id), soci::use(i.tenant_id), soci::use(i.email), soci::use(i.role), soci::use(token_hash),
        soci::use(i.invited_by), soci::use(i.created_at), soci::use(i.expires_at);
  });
  return c;
}

std::vector<Invitation> Invitations::list(const std::string& tenant_id, const std::string& cursor, int limit) {
  std::vector<Invitation> out;
  auto s = db_.session();
  std::string after = cursor.empty() ? std::string("\x7f") : cursor;
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " << kColumns
                  << " FROM ambit_invitations WHERE tenant_id = :t AND id < :c ORDER BY id DESC LIMIT :l",
       soci::use(tenant_id), soci::use(after), soci::use(limit));
  for (auto& r : rows) out.push_back(from_row(r));
  return out;
}

void Invitations::revoke(const sdk::Principal& caller, const std::string& id) {
  std::int64_t now = clock_.now_ms();
  db_.transaction([&](soci::session& tx) {
    auto i = find(tx, "id = :k", id);
    if (!i || i->tenant_id != caller.tenant_id) throw sdk::ApiError::not_found("no such invitation");
    identity_.check_role_ceiling(caller, i->role);
    if (i->status(now) != "pending") unusable(*i, now);
    tx << "UPDATE ambit_invitations SET revoked_at = :n WHERE id = :i", soci::use(now), soci::use(id);
  });
}

Invitation Invitations::pending(const std::string& token) {
  auto s = db_.session();
  auto i = find(*s, "token_hash = :k", hash(token));
  if (!i) throw sdk::ApiError::not_found("no such invitation");
  if (i->status(clock_.now_ms()) != "pending") unusable(*i, clock_.now_ms());
  return *i;
}

bool Invitations::user_exists(const std::string& email) { return identity_.user_by_email(email).has_value(); }

Accepted Invitations::accept(const std::string& token, const Acceptance& proof, sdk::CredentialIssuer* issuer) {
  Invitation inv = pending(token);
  auto user = identity_.user_by_email(inv.email);
  std::string user_id, password_hash;
  if (user) {
    bool same_user = proof.caller && proof.caller->user_id == user->id;
    if (!same_user) {
      if (!proof.password)
        throw sdk::ApiError(401, "unauthenticated", "sign in as " + inv.email + " to accept: send your password",
                            {{"reason", "sign_in_required"}});
      auto signed_in = identity_.sign_in(inv.email, *proof.password, proof.client_address);
      if (signed_in.retry_after_s > 0)
        throw sdk::ApiError(429, "too_many_requests", "too many sign-in attempts; retry later",
                            {{"retry_after", signed_in.retry_after_s}});
      if (!signed_in.user)
        throw sdk::ApiError(401, "unauthenticated", "wrong password for " + inv.email, {{"reason", "wrong_password"}});
    }
    user_id = user->id;
  } else {
    // A new user chooses their own password here, and nobody else ever does.
    if (!proof.password)
      throw sdk::ApiError::invalid_input("choose a password (8 to 1024 characters) to create your account", "password");
    password_hash = identity_.hash_password(*proof.password);
  }
  Accepted out;
  std::int64_t now = clock_.now_ms();
  db_.transaction([&](soci::session& tx) {
    // The inviter must still hold a role at least as high as the one offered.
    auto inviter = identity_.member(inv.tenant_id, inv.invited_by);
    if (!inviter || ScopeCatalog::rank(inviter->role) < ScopeCatalog::rank(inv.role))
      throw sdk::ApiError::not_found("this invitation is no longer valid; ask for a new one");
    if (user_id.empty()) {
      user_id = identity_.create_user(tx, inv.email, std::nullopt).id;
      identity_.set_password(tx, user_id, password_hash);
    }
    // Single use, even against a concurrent acceptance of the same token.
    std::string token_hash = hash(token);
    soci::statement claim = (tx.prepare << "UPDATE ambit_invitations SET accepted_at = :n, accepted_by = :u"
                                           " WHERE token_hash = :h AND accepted_at IS NULL AND revoked_at IS NULL"
                                           " AND expires_at > :n2",
                             soci::use(now), soci::use(user_id), soci::use(token_hash), soci::use(now));
    claim.execute(true);
    if (claim.get_affected_rows() != 1) throw sdk::ApiError(410, "INVITATION_USED", "this invitation was already accepted");
    out.member = identity_.add_member(tx, inv.tenant_id, user_id, inv.role);
    out.api_key = issue_credential(issuer, tx, inv.tenant_id, user_id, identity_.role_scopes(inv.role),
                                   "key of " + inv.email);
  });
  return out;
}

Invitations::Created Invitations::issue_password_reset(const std::string& email) {
  auto user = identity_.user_by_email(email);
  if (!user) throw std::runtime_error("no user has the email " + email);
  Created c;
  c.invitation.email = user->email;
  c.invitation.created_at = clock_.now_ms();
  c.invitation.expires_at = c.invitation.created_at + ms(identity_.config().password_reset_ttl);
  c.token = "amb_pwr_" + sdk::random_base62(keyring_, 43);
  c.url = public_url() + "/password-reset?token=" + c.token;
  std::string token_hash = hash(c.token);
  db_.transaction([&](soci::session& tx) {
    tx << "INSERT INTO ambit_password_resets (token_hash, user_id, created_at, expires_at) VALUES (:h, :u, :c, :x)",
        soci::use(token_hash), soci::use(user->id), soci::use(c.invitation.created_at),
        soci::use(c.invitation.expires_at);
  });
  return c;
}

void Invitations::redeem_password_reset(const std::string& token, const std::string& password) {
  std::string token_hash = hash(token);
  std::string user_id;
  long long expires_at = 0;
  soci::indicator used = soci::i_null;
  long long used_at = 0;
  {
    auto s = db_.session();
    *s << "SELECT user_id, expires_at, used_at FROM ambit_password_resets WHERE token_hash = :h",
        soci::use(token_hash), soci::into(user_id), soci::into(expires_at), soci::into(used_at, used);
    if (!s->got_data()) throw sdk::ApiError::not_found("no such password reset");
  }
  std::int64_t now = clock_.now_ms();
  if (used == soci::i_ok) throw sdk::ApiError(410, "RESET_USED", "this reset link was already used");
  if (expires_at <= now) throw sdk::ApiError(410, "RESET_EXPIRED", "this reset link has expired; ask for a new one");
  std::string password_hash = identity_.hash_password(password);
  db_.transaction([&](soci::session& tx) {
    soci::statement claim = (tx.prepare << "UPDATE ambit_password_resets SET used_at = :n"
                                           " WHERE token_hash = :h AND used_at IS NULL",
                             soci::use(now), soci::use(token_hash));
    claim.execute(true);
    if (claim.get_affected_rows() != 1) throw sdk::ApiError(410, "RESET_USED", "this reset link was already used");
    identity_.set_password(tx, user_id, password_hash);
    // Every other outstanding reset of this user ends with this one.
    tx << "UPDATE ambit_password_resets SET used_at = :n WHERE user_id = :u AND used_at IS NULL", soci::use(now),
        soci::use(user_id);
  });
}

}  // namespace ambit::kernel
