#pragma once
// Invitations and password resets: the only ways a membership begins (after
// bootstrap) and a password is set. Each is a single-use, expiring token
// that only its holder can redeem; the database keeps its keyed hash.
//
//   invite   (a member with members:manage) -> a link to deliver, never a key
//   accept   (the invitee: a new user sets a password, an existing one
//             signs in) -> the membership, and the invitee's own key
//   reset    (the operator, `ambit users reset-password`) -> a link
//   redeem   (the user) -> a new password

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/credentials.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/keyring.hpp"
#include "ambit/sdk/principal.hpp"
#include "identity/identity_store.hpp"

namespace ambit::kernel {

struct Invitation {
  std::string id, tenant_id, email, role, invited_by;
  std::int64_t created_at = 0, expires_at = 0;
  std::optional<std::int64_t> accepted_at, revoked_at;
  std::string accepted_by;

  /// "pending", "accepted", "revoked" or "expired" at `now_ms`.
  std::string status(std::int64_t now_ms) const;
};

/// What the invitee proves: their own credential, or their password.
struct Acceptance {
  const sdk::Principal* caller = nullptr;  ///< a user credential of the invitee, if sent
  std::optional<std::string> password;
  std::string client_address;
};

struct Accepted {
  sdk::Member member;
  boost::json::value api_key;  ///< the invitee's own key, or null without a credential plugin
};

class Invitations {
 public:
  Invitations(sdk::Database& db, IdentityStore& identity, sdk::Keyring& keyring, const sdk::Clock& clock,
              const std::string& public_url);

  /// {invitation, token, url}; the token is returned only here.
  struct Created {
    Invitation invitation;
    std::string token, url;
  };
  Created invite(const sdk::Principal& inviter, const std::string& email, const std::string& role);
  /// Newest first; `cursor` is the last id of the previous page.
  std::vector<Invitation> list(const std::string& tenant_id, const std::string& cursor, int limit);
  void revoke(const sdk::Principal& caller, const std::string& id);

  /// The pending invitation a token names (for the acceptance page), or
  /// throws ApiError 404 / 410.
  Invitation pending(const std::string& token);
  /// Whether the invitation's email belongs to a registered user.
  bool user_exists(const std::string& email);
  Accepted accept(const std::string& token, const Acceptance& proof, sdk::CredentialIssuer* issuer);

  /// A reset link for the user with `email`; throws std::runtime_error when none.
  Created issue_password_reset(const std::string& email);
  /// Sets the password of the reset token's user; throws ApiError 404 / 410.
  void redeem_password_reset(const std::string& token, const std::string& password);

  const std::string& public_url() const { return *public_url_; }

 private:
  std::string hash(const std::string& token);

  sdk::Database& db_;
  IdentityStore& identity_;
  sdk::Keyring& keyring_;
  const sdk::Clock& clock_;
  const std::string* public_url_;
};

}  // namespace ambit::kernel
