#include "store.hpp"

namespace projects {
namespace {

constexpr const char* kProjectColumns =
    "id, tenant_id, name, bundle_id, platform, environment, status, region, job_id, provision_runs, failed_step,"
    " last_error, provisioned_at, archived_at, created_at, updated_at";
constexpr const char* kKeyColumns =
    "id, project_id, key_prefix, key_type, environment, is_active, created_at, revoked_at, last_used_at";

std::optional<std::string> opt_text(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<std::string>(i);
}

std::optional<std::int64_t> opt_ms(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<long long>(i);
}

ProjectRecord project_from(const soci::row& r) {
  ProjectRecord p;
  p.id = r.get<std::string>(0);
  p.tenant_id = r.get<std::string>(1);
  p.name = r.get<std::string>(2);
  p.bundle_id = opt_text(r, 3);
  p.platform = r.get<std::string>(4);
  p.environment = opt_text(r, 5);
  p.status = r.get<std::string>(6);
  p.region = opt_text(r, 7);
  p.job_id = opt_text(r, 8).value_or("");
  p.provision_runs = r.get<int>(9);
  p.failed_step = opt_text(r, 10);
  p.last_error = opt_text(r, 11);
  p.provisioned_at = opt_ms(r, 12);
  p.archived_at = opt_ms(r, 13);
  p.created_at = r.get<long long>(14);
  p.updated_at = r.get<long long>(15);
  return p;
}

ProjectKey key_from(const soci::row& r) {
  ProjectKey k;
  k.id = r.get<std::string>(0);
  k.project_id = r.get<std::string>(1);
  k.key_prefix = r.get<std::string>(2);
  k.key_type = r.get<std::string>(3);
  k.environment = r.get<std::string>(4);
  k.is_active = r.get<int>(5) != 0;
  k.created_at = r.get<long long>(6);
  k.revoked_at = opt_ms(r, 7);
  k.last_used_at = opt_ms(r, 8);
  return k;
}

/// A soci::use() pair for an optional text column.
struct OptText {
  std::string value;
  soci::indicator ind;
  explicit OptText(const std::optional<std::string>& v) : value(v.value_or("")), ind(v ? soci::i_ok : soci::i_null) {}
};

}  // namespace

ambit::sdk::ProjectInfo ProjectRecord::info() const {
  return {id, tenant_id, name, platform, status, region.value_or(""), archived_at.has_value()};
}

void Store::insert_project(soci::session& tx, const ProjectRecord& p) {
  OptText bundle(p.bundle_id), env(p.environment), region(p.region);
  tx << "INSERT INTO projects_projects (id, tenant_id, name, bundle_id, platform, environment, status, region,"
        " created_at, updated_at) VALUES (:id, :t, :n, :b, :p, :e, :s, :r, :c, :u)",
      soci::use(p.id), soci::use(p.tenant_id), soci::use(p.name), soci::use(bundle.value, bundle.ind),
      soci::use(p.platform), soci::use(env.value, env.ind), soci::use(p.status), soci::use(region.value, region.ind),
      soci::use(p.created_at), soci::use(p.updated_at);
}

std::optional<ProjectRecord> Store::find_project(soci::session& s, const std::string& id) {
  soci::rowset<soci::row> rows =
      (s.prepare << "SELECT " << kProjectColumns << " FROM projects_projects WHERE id = :id", soci::use(id));
  for (auto& r : rows) return project_from(r);
  return std::nullopt;
}

std::optional<ProjectRecord> Store::find_project(const std::string& id) {
  auto s = ctx_.database().session();
  return find_project(*s, id);
}

std::vector<ProjectRecord> Store::list_projects(const std::string& tenant_id,
                                                const std::optional<ambit::sdk::TimeIdKey>& after, int fetch) {
  auto s = ctx_.database().session();
  ambit::sdk::TimeIdAfter k(after, ambit::sdk::Order::newest_first);
  std::vector<ProjectRecord> out;
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " << kProjectColumns << " FROM projects_projects WHERE tenant_id = :t AND " << k.sql()
                  << " ORDER BY " << k.order_by() << " LIMIT :n",
       soci::use(tenant_id), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id), soci::use(fetch));
  for (auto& r : rows) out.push_back(project_from(r));
  return out;
}

void Store::update_details(soci::session& tx, const ProjectRecord& p) {
  OptText bundle(p.bundle_id), env(p.environment);
  tx << "UPDATE projects_projects SET name = :n, bundle_id = :b, platform = :p, environment = :e, updated_at = :u"
        " WHERE id = :id",
      soci::use(p.name), soci::use(bundle.value, bundle.ind), soci::use(p.platform), soci::use(env.value, env.ind),
      soci::use(p.updated_at), soci::use(p.id);
}

void Store::start_provisioning(soci::session& tx, const std::string& id, const std::string& job_id,
                               const std::string& region, std::int64_t now) {
  tx << "UPDATE projects_projects SET status = 'provisioning', job_id = :j, region = :r, failed_step = NULL,"
        " last_error = NULL, updated_at = :u WHERE id = :id",
      soci::use(job_id), soci::use(region), soci::use(now), soci::use(id);
}

bool Store::begin_run(soci::session& tx, const std::string& id, const std::string& job_id, std::int64_t now,
                      int& runs) {
  soci::statement st = (tx.prepare << "UPDATE projects_projects SET provision_runs = provision_runs + 1, updated_at = :u"
                                      " WHERE id = :id AND job_id = :j AND status = 'provisioning'",
                        soci::use(now), soci::use(id), soci::use(job_id));
  st.execute(true);
  if (st.get_affected_rows() != 1) return false;
  tx << "SELECT provision_runs FROM projects_projects WHERE id = :id", soci::use(id), soci::into(runs);
  return true;
}

void Store::finish_active(soci::session& tx, const std::string& id, const std::string& job_id, std::int64_t now) {
  tx << "UPDATE projects_projects SET status = 'active', provisioned_at = :p, failed_step = NULL, last_error = NULL,"
        " updated_at = :u WHERE id = :id AND job_id = :j",
      soci::use(now), soci::use(now), soci::use(id), soci::use(job_id);
}

void Store::finish_failed(soci::session& tx, const std::string& id, const std::string& job_id,
                          const std::string& step, const std::string& error, std::int64_t now) {
  tx << "UPDATE projects_projects SET status = 'failed', failed_step = :s, last_error = :e, updated_at = :u"
        " WHERE id = :id AND job_id = :j",
      soci::use(step), soci::use(error), soci::use(now), soci::use(id), soci::use(job_id);
}

void Store::set_archived(soci::session& tx, const std::string& id, std::optional<std::int64_t> archived_at,
                         std::int64_t now) {
  std::int64_t at = archived_at.value_or(0);
  soci::indicator ind = archived_at ? soci::i_ok : soci::i_null;
  tx << "UPDATE projects_projects SET archived_at = :a, updated_at = :u WHERE id = :id", soci::use(at, ind),
      soci::use(now), soci::use(id);
}

void Store::delete_project(soci::session& tx, const std::string& id) {
  tx << "DELETE FROM projects_keys WHERE project_id = :id", soci::use(id);
  tx << "DELETE FROM projects_projects WHERE id = :id", soci::use(id);
}

void Store::insert_key(soci::session& tx, const ProjectKey& k, const std::string& key_hash) {
  tx << "INSERT INTO projects_keys (id, project_id, key_hash, key_prefix, key_type, environment, is_active, created_at)"
        " VALUES (:id, :p, :h, :x, :t, :e, 1, :c)",
      soci::use(k.id), soci::use(k.project_id), soci::use(key_hash), soci::use(k.key_prefix), soci::use(k.key_type),
      soci::use(k.environment), soci::use(k.created_at);
}

std::optional<ProjectKey> Store::find_key_by_hash(const std::string& key_hash) {
  auto s = ctx_.database().session();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " << kKeyColumns << " FROM projects_keys WHERE key_hash = :h", soci::use(key_hash));
  for (auto& r : rows) return key_from(r);
  return std::nullopt;
}

std::vector<ProjectKey> Store::list_keys(soci::session& s, const std::string& project_id) {
  std::vector<ProjectKey> out;
  soci::rowset<soci::row> rows = (s.prepare << "SELECT " << kKeyColumns
                                            << " FROM projects_keys WHERE project_id = :p ORDER BY created_at, id",
                                  soci::use(project_id));
  for (auto& r : rows) out.push_back(key_from(r));
  return out;
}

bool Store::deactivate_key(soci::session& tx, const std::string& project_id, const std::string& key_id,
                           std::int64_t now) {
  int found = 0;
  tx << "SELECT COUNT(*) FROM projects_keys WHERE id = :k AND project_id = :p", soci::use(key_id),
      soci::use(project_id), soci::into(found);
  if (found == 0) return false;
  tx << "UPDATE projects_keys SET is_active = 0, revoked_at = COALESCE(revoked_at, :n) WHERE id = :k", soci::use(now),
      soci::use(key_id);
  return true;
}

void Store::touch_keys(const std::map<std::string, std::int64_t>& last_used) {
  if (last_used.empty()) return;
  ctx_.database().transaction([&](soci::session& tx) {
    for (auto& [id, at] : last_used)
      tx << "UPDATE projects_keys SET last_used_at = :a WHERE id = :i AND (last_used_at IS NULL OR last_used_at < :a2)",
          soci::use(at), soci::use(id), soci::use(at);
  });
}

}  // namespace projects
