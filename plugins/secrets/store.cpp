#include "store.hpp"

#include <limits>

namespace secrets {
namespace {

constexpr const char* kColumns =
    "function_name, name, version, ciphertext, change_seq, sync_status, last_error, created_at, updated_at";

SecretRow row_from(const soci::row& r) {
  SecretRow s;
  s.function = r.get<std::string>(0);
  s.name = r.get<std::string>(1);
  s.version = r.get<int>(2);
  s.ciphertext = r.get<std::string>(3);
  s.change_seq = r.get<long long>(4);
  s.sync_status = r.get<std::string>(5);
  if (r.get_indicator(6) != soci::i_null) s.last_error = r.get<std::string>(6);
  s.created_at = r.get<long long>(7);
  s.updated_at = r.get<long long>(8);
  return s;
}

}  // namespace

std::optional<std::string> Store::wrapped_key(soci::session& s, const std::string& project_id) {
  std::string wrapped;
  s << "SELECT wrapped_key FROM secrets_projects WHERE project_id = :p", soci::use(project_id), soci::into(wrapped);
  if (!s.got_data()) return std::nullopt;
  return wrapped;
}

void Store::insert_project(soci::session& tx, const std::string& project_id, const std::string& wrapped,
                           std::int64_t now) {
  tx << "INSERT INTO secrets_projects (project_id, wrapped_key, created_at) VALUES (:p, :w, :c)",
      soci::use(project_id), soci::use(wrapped), soci::use(now);
}

std::int64_t Store::next_change(soci::session& tx, const std::string& project_id) {
  tx << "UPDATE secrets_projects SET change_seq = change_seq + 1 WHERE project_id = :p", soci::use(project_id);
  return last_change(tx, project_id);
}

std::int64_t Store::last_change(soci::session& s, const std::string& project_id) {
  long long seq = 0;
  s << "SELECT change_seq FROM secrets_projects WHERE project_id = :p", soci::use(project_id), soci::into(seq);
  return seq;
}

void Store::set_job(soci::session& tx, const std::string& project_id, const std::string& job_id) {
  tx << "UPDATE secrets_projects SET job_id = :j WHERE project_id = :p", soci::use(job_id), soci::use(project_id);
}

std::string Store::job_id(soci::session& s, const std::string& project_id) {
  std::string id;
  soci::indicator ind = soci::i_null;
  s << "SELECT job_id FROM secrets_projects WHERE project_id = :p", soci::use(project_id), soci::into(id, ind);
  return s.got_data() && ind == soci::i_ok ? id : std::string();
}

int Store::add_failure(soci::session& tx, const std::string& project_id) {
  tx << "UPDATE secrets_projects SET failures = failures + 1 WHERE project_id = :p", soci::use(project_id);
  int failures = 0;
  tx << "SELECT failures FROM secrets_projects WHERE project_id = :p", soci::use(project_id), soci::into(failures);
  return failures;
}

void Store::clear_failures(soci::session& tx, const std::string& project_id) {
  tx << "UPDATE secrets_projects SET failures = 0 WHERE project_id = :p", soci::use(project_id);
}

std::optional<SecretRow> Store::find(soci::session& s, const std::string& project_id, const std::string& function,
                                     const std::string& name) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns
                 << " FROM secrets_values WHERE project_id = :p AND function_name = :f AND name = :n",
       soci::use(project_id), soci::use(function), soci::use(name));
  for (auto& r : rows) return row_from(r);
  return std::nullopt;
}

void Store::save(soci::session& tx, const std::string& project_id, const SecretRow& r, bool exists) {
  if (exists) {
    tx << "UPDATE secrets_values SET version = :v, ciphertext = :c, change_seq = :s, sync_status = 'pending',"
          " last_error = NULL, updated_at = :u WHERE project_id = :p AND function_name = :f AND name = :n",
        soci::use(r.version), soci::use(r.ciphertext), soci::use(r.change_seq), soci::use(r.updated_at),
        soci::use(project_id), soci::use(r.function), soci::use(r.name);
  } else {
    tx << "INSERT INTO secrets_values (project_id, function_name, name, version, ciphertext, change_seq, sync_status,"
          " created_at, updated_at) VALUES (:p, :f, :n, :v, :c, :s, 'pending', :cr, :u)",
        soci::use(project_id), soci::use(r.function), soci::use(r.name), soci::use(r.version),
        soci::use(r.ciphertext), soci::use(r.change_seq), soci::use(r.created_at), soci::use(r.updated_at);
  }
}

void Store::remove(soci::session& tx, const std::string& project_id, const std::string& function,
                   const std::string& name) {
  tx << "DELETE FROM secrets_values WHERE project_id = :p AND function_name = :f AND name = :n",
      soci::use(project_id), soci::use(function), soci::use(name);
}

std::vector<SecretRow> Store::list(soci::session& s, const std::string& project_id,
                                   const std::optional<std::string>& function) {
  return list_page(s, project_id, function, std::nullopt, std::numeric_limits<int>::max());
}

std::vector<SecretRow> Store::list_page(soci::session& s, const std::string& project_id,
                                        const std::optional<std::string>& function,
                                        const std::optional<SecretKey>& after, int fetch) {
  std::string f = function.value_or("");
  int filter = function ? 1 : 0;
  int first = after ? 0 : 1;
  std::string after_function = after ? after->function : std::string();
  std::string after_name = after ? after->name : std::string();
  std::vector<SecretRow> out;
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kColumns
                 << " FROM secrets_values WHERE project_id = :p AND (:all = 0 OR function_name = :f)"
                    " AND (:first = 1 OR function_name > :af OR (function_name = :af2 AND name > :an))"
                    " ORDER BY function_name, name LIMIT :n",
       soci::use(project_id), soci::use(filter), soci::use(f), soci::use(first), soci::use(after_function),
       soci::use(after_function), soci::use(after_name), soci::use(fetch));
  for (auto& r : rows) out.push_back(row_from(r));
  return out;
}

void Store::mark_synced(soci::session& tx, const std::string& project_id, std::int64_t up_to) {
  tx << "UPDATE secrets_values SET sync_status = 'synced', last_error = NULL"
        " WHERE project_id = :p AND change_seq <= :s",
      soci::use(project_id), soci::use(up_to);
}

void Store::mark_failed(soci::session& tx, const std::string& project_id, std::int64_t up_to,
                        const std::string& error) {
  tx << "UPDATE secrets_values SET sync_status = 'sync_failed_retrying', last_error = :e"
        " WHERE project_id = :p AND change_seq <= :s",
      soci::use(error), soci::use(project_id), soci::use(up_to);
}

void Store::mark_row_failed(soci::session& tx, const std::string& project_id, const SecretRow& row,
                            const std::string& error) {
  tx << "UPDATE secrets_values SET sync_status = 'sync_failed_retrying', last_error = :e"
        " WHERE project_id = :p AND function_name = :f AND name = :n",
      soci::use(error), soci::use(project_id), soci::use(row.function), soci::use(row.name);
}

}  // namespace secrets
