#pragma once
// The identity core: tenants (the seeds' business / workspace / developer),
// users, memberships with a role, and the scope catalog with each role's
// default scopes. Owned by the kernel; plugins read and change it here.
//
// Reads are cached in process. Every membership change publishes
// kMembershipChangedTopic ("<tenant_id>\n<user_id>") on sdk::Events, so
// caches built on roles (API keys, tokens) can drop what they hold.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/principal.hpp"

namespace ambit::sdk {
inline namespace v1 {

inline constexpr const char* kMembershipChangedTopic = "ambit.identity.membership";

/// The roles, weakest first.
inline constexpr const char* kRoles[] = {"viewer", "editor", "admin", "owner"};

struct Tenant {
  std::string id;
  std::string name;
  std::int64_t created_at = 0;
};

struct User {
  std::string id;
  std::string email;
  std::int64_t created_at = 0;
};

/// What a sign-in attempt came to (SDK 1.3).
struct SignIn {
  std::optional<User> user;  ///< set: the password matched
  /// > 0: refused before any check (the attempt budget of the account or
  /// the address is spent, or every password slot is busy): answer 429
  /// with this Retry-After, in seconds.
  int retry_after_s = 0;
};

struct Member {
  std::string tenant_id;
  std::string user_id;
  std::string email;
  std::string role;
  std::int64_t created_at = 0;
};

class Identity {
 public:
  virtual ~Identity() = default;

  // --- scope catalog --------------------------------------------------------
  virtual bool is_role(std::string_view role) const = 0;
  /// The role's default scopes, sorted; empty for an unknown role.
  virtual const std::vector<std::string>& role_scopes(std::string_view role) const = 0;
  virtual bool scope_exists(std::string_view scope) const = 0;
  /// Every declared scope, sorted.
  virtual const std::vector<std::string>& scopes() const = 0;

  // --- reads (cached) -------------------------------------------------------
  virtual std::optional<Member> member(const std::string& tenant_id, const std::string& user_id) = 0;
  virtual std::vector<Member> members(const std::string& tenant_id) = 0;
  virtual std::optional<Tenant> tenant(const std::string& tenant_id) = 0;
  virtual std::optional<User> user_by_email(const std::string& email) = 0;
  /// The user when `password` matches the stored Argon2id hash.
  virtual std::optional<User> verify_password(const std::string& email, const std::string& password) = 0;

  // --- writes, inside the caller's transaction ------------------------------
  virtual Tenant create_tenant(soci::session& tx, const std::string& name) = 0;
  /// Throws ApiError 409 EMAIL_TAKEN when the email is registered.
  virtual User create_user(soci::session& tx, const std::string& email,
                           const std::optional<std::string>& password) = 0;
  virtual Member add_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                            const std::string& role) = 0;
  virtual void set_role(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                        const std::string& role) = 0;
  virtual void remove_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id) = 0;

  /// Every tenant the user is a member of, oldest membership first: a
  /// workspace picker. (SDK 1.2)
  virtual std::vector<Member> memberships(const std::string& user_id) = 0;

  // --- SDK 1.3: the identity rules, in one place ----------------------------

  /// The one way to check a password (sign-in pages, invitation acceptance).
  /// Attempts are budgeted per account and per client address with a
  /// progressive delay; Argon2id runs behind a small semaphore; an unknown
  /// email costs the same as a known one. `client_address` is
  /// Request::remote_address.
  virtual SignIn sign_in(const std::string& email, const std::string& password,
                         const std::string& client_address) = 0;

  /// The role a credential of (tenant, user) issued at `issued_at` (ms) acts
  /// with, or "" when it no longer stands: the membership ended, or it
  /// began after the credential was issued (a member added back does not
  /// revive old credentials). Cached; invalidated by kMembershipChangedTopic.
  virtual std::string standing_role(const std::string& tenant_id, const std::string& user_id,
                                    std::int64_t issued_at) = 0;

  /// A credential's effective scopes: the scopes it was issued with that its
  /// user's role may hold (the role's bundle plus the dedicated scopes the
  /// role may be issued), sorted.
  virtual std::vector<std::string> effective_scopes(std::string_view role,
                                                    const std::vector<std::string>& issued) const = 0;

  /// Minting: the first of `scopes` that `caller` may not hand out, or "".
  /// A caller hands out only scopes it holds, and a dedicated scope only
  /// when its role may be issued it and it holds its role's whole bundle.
  virtual std::string scope_beyond(const Principal& caller, const std::vector<std::string>& scopes) const = 0;

  /// Throws ApiError 403 (reason role_above_caller) unless `role` ranks at
  /// most the caller's: the ceiling for acting on another member (changing
  /// or removing them, revoking their credentials).
  virtual void check_role_ceiling(const Principal& caller, std::string_view role) const = 0;
};

}  // namespace v1
}  // namespace ambit::sdk
