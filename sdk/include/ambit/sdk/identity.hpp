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
};

}  // namespace v1
}  // namespace ambit::sdk
