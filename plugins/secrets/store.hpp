#pragma once
// SQL for the secrets tables; the only file that knows them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "ambit/sdk/paging.hpp"

namespace secrets {

struct SecretRow {
  std::string function;  ///< "" for project-wide
  std::string name;
  int version = 1;
  std::string ciphertext;
  std::int64_t change_seq = 0;
  std::string sync_status = "pending";
  std::optional<std::string> last_error;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// The sort key of the secrets list, a cursor's content: function, then name.
struct SecretKey {
  std::string function;  ///< "" for project-wide
  std::string name;

  boost::json::array to_json() const { return {boost::json::string(function), boost::json::string(name)}; }
  static std::optional<SecretKey> from_json(const boost::json::array& a) {
    if (a.size() != 2 || !a[0].is_string() || !a[1].is_string() || a[1].as_string().empty()) return std::nullopt;
    return SecretKey{std::string(a[0].as_string()), std::string(a[1].as_string())};
  }
};

class Store {
 public:
  std::optional<std::string> wrapped_key(soci::session& s, const std::string& project_id);
  void insert_project(soci::session& tx, const std::string& project_id, const std::string& wrapped, std::int64_t now);
  /// The project's next change number (each change is numbered; a sync covers all up to its number).
  std::int64_t next_change(soci::session& tx, const std::string& project_id);
  std::int64_t last_change(soci::session& s, const std::string& project_id);
  void set_job(soci::session& tx, const std::string& project_id, const std::string& job_id);
  std::string job_id(soci::session& s, const std::string& project_id);
  int add_failure(soci::session& tx, const std::string& project_id);
  void clear_failures(soci::session& tx, const std::string& project_id);

  std::optional<SecretRow> find(soci::session& s, const std::string& project_id, const std::string& function,
                                const std::string& name);
  void save(soci::session& tx, const std::string& project_id, const SecretRow& row, bool exists);
  void remove(soci::session& tx, const std::string& project_id, const std::string& function, const std::string& name);
  /// Ordered by function, then name; `function` filters when set.
  std::vector<SecretRow> list(soci::session& s, const std::string& project_id,
                              const std::optional<std::string>& function = std::nullopt);
  /// Up to `fetch` rows in the same order, after `after`.
  std::vector<SecretRow> list_page(soci::session& s, const std::string& project_id,
                                   const std::optional<std::string>& function, const std::optional<SecretKey>& after,
                                   int fetch);
  void mark_synced(soci::session& tx, const std::string& project_id, std::int64_t up_to);
  /// Every row the failed sync covered: the runtime may not hold what the list shows.
  void mark_failed(soci::session& tx, const std::string& project_id, std::int64_t up_to, const std::string& error);
  /// One row, whatever its status (a ciphertext that no longer opens).
  void mark_row_failed(soci::session& tx, const std::string& project_id, const SecretRow& row, const std::string& error);
};

}  // namespace secrets
