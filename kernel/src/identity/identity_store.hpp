#pragma once
// The kernel's sdk::Identity on the ambit_tenants / ambit_users /
// ambit_memberships tables, with an in-process membership cache invalidated
// through the event bus (so other processes drop stale roles too).

#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <unordered_map>

#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/identity.hpp"
#include "ambit/sdk/paging.hpp"
#include "config/kernel_config.hpp"
#include "events/event_bus.hpp"
#include "identity/attempt_budget.hpp"
#include "identity/scope_catalog.hpp"

namespace ambit::kernel {

class IdentityStore final : public sdk::Identity {
 public:
  IdentityStore(sdk::Database& db, EventBus& events, const sdk::Clock& clock, const IdentityConfig& config);

  ScopeCatalog& catalog() { return catalog_; }

  bool is_role(std::string_view role) const override { return catalog_.is_role(role); }
  const std::vector<std::string>& role_scopes(std::string_view role) const override {
    return catalog_.role_scopes(role);
  }
  bool scope_exists(std::string_view scope) const override { return catalog_.exists(scope); }
  const std::vector<std::string>& scopes() const override { return catalog_.scopes(); }

  std::optional<sdk::Member> member(const std::string& tenant_id, const std::string& user_id) override;
  std::vector<sdk::Member> members(const std::string& tenant_id) override;
  std::optional<sdk::Tenant> tenant(const std::string& tenant_id) override;
  std::optional<sdk::User> user_by_email(const std::string& email) override;
  std::optional<sdk::User> verify_password(const std::string& email, const std::string& password) override;

  sdk::Tenant create_tenant(soci::session& tx, const std::string& name) override;
  sdk::User create_user(soci::session& tx, const std::string& email,
                        const std::optional<std::string>& password) override;
  sdk::Member add_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                         const std::string& role) override;
  void set_role(soci::session& tx, const std::string& tenant_id, const std::string& user_id,
                const std::string& role) override;
  void remove_member(soci::session& tx, const std::string& tenant_id, const std::string& user_id) override;
  std::vector<sdk::Member> memberships(const std::string& user_id) override;

  sdk::SignIn sign_in(const std::string& email, const std::string& password,
                      const std::string& client_address) override;
  std::string standing_role(const std::string& tenant_id, const std::string& user_id, std::int64_t issued_at) override;
  std::vector<std::string> effective_scopes(std::string_view role,
                                            const std::vector<std::string>& issued) const override;
  std::string scope_beyond(const sdk::Principal& caller, const std::vector<std::string>& scopes) const override;
  void check_role_ceiling(const sdk::Principal& caller, std::string_view role) const override;

  // --- kernel-only -----------------------------------------------------------
  /// Up to `fetch` members of `tenant_id` in members() order (joined at, then
  /// email: unique per tenant), after the member whose key is `after`.
  std::vector<sdk::Member> members_page(const std::string& tenant_id, const std::optional<sdk::TimeIdKey>& after,
                                        int fetch);
  /// Throws ApiError 403 unless `caller` may grant `role`: at most its own
  /// rank, and the caller holds every scope of that role's bundle.
  void check_role_grant(const sdk::Principal& caller, const std::string& role) const;
  /// Argon2id of `password` (8 to 1024 characters), through the password
  /// slots; throws ApiError 400 on a bad length, 429 when every slot is busy.
  std::string hash_password(const std::string& password);
  void set_password(soci::session& tx, const std::string& user_id, const std::string& password_hash);
  const IdentityConfig& config() const { return config_; }

 private:
  /// A password slot held for one Argon2 run, or none when all are busy.
  class Slot;
  std::optional<sdk::User> check_password(const std::string& normalized_email, const std::string& password);
  /// Members joined with their email, filtered by `where` on the bound `:id`.
  std::vector<sdk::Member> member_rows(const std::string& where, const std::string& id);
  void changed(soci::session& tx, const std::string& tenant_id, const std::string& user_id);
  void forget(std::string_view key);

  sdk::Database& db_;
  EventBus& events_;
  const sdk::Clock& clock_;
  IdentityConfig config_;
  ScopeCatalog catalog_;
  std::counting_semaphore<> password_slots_;
  AttemptBudget per_account_, per_address_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;  ///< checked for unknown emails, so they cost what known ones do
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::optional<sdk::Member>> members_;  ///< key: tenant \n user
};

/// Lower-case and trim; empty when it is not a plausible address.
std::string normalize_email(const std::string& email);

}  // namespace ambit::kernel
