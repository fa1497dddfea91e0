#include "views.hpp"

#include "ambit/sdk/time.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace projects {
namespace {

json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

}  // namespace

json::object project_json(const ProjectRecord& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"developer_id", p.tenant_id},
          {"bundle_id", text_or_null(p.bundle_id)},
          {"platform", p.platform},
          {"environment", text_or_null(p.environment)},
          {"provisioning_status", p.status},
          {"region", text_or_null(p.region)},
          {"provisioned_at", sdk::format_time_or_null(p.provisioned_at)},
          {"archived", p.archived_at.has_value()},
          {"archived_at", sdk::format_time_or_null(p.archived_at)},
          {"created_at", sdk::format_time(p.created_at)},
          {"updated_at", sdk::format_time(p.updated_at)}};
}

json::object project_summary_json(const ProjectRecord& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"developer_id", p.tenant_id},
          {"platform", p.platform},
          {"provisioning_status", p.status},
          {"archived", p.archived_at.has_value()},
          {"created_at", sdk::format_time(p.created_at)}};
}

json::object key_json(const ProjectKey& k) {
  return {{"id", k.id},
          {"key_prefix", k.key_prefix},
          {"key_type", k.key_type},
          {"environment", k.environment},
          {"is_active", k.is_active},
          {"created_at", sdk::format_time(k.created_at)},
          {"revoked_at", sdk::format_time_or_null(k.revoked_at)},
          {"last_used_at", sdk::format_time_or_null(k.last_used_at)}};
}

json::object minted_key_json(const std::string& key, const ProjectKey& k) {
  return {{"id", k.id}, {"key", key}, {"prefix", k.key_prefix}, {"type", k.key_type}, {"environment", k.environment}};
}

json::object provisioning_json(const ProvisioningView& v) {
  json::object out{{"projectId", v.project.id},
                   {"status", v.status},
                   {"provisioned_at", sdk::format_time_or_null(v.project.provisioned_at)},
                   {"region", v.status == "not_provisioned" ? json::value(nullptr) : text_or_null(v.project.region)},
                   {"job_id", v.project.job_id.empty() ? json::value(nullptr) : json::value(v.project.job_id)},
                   {"archived", v.project.archived_at.has_value()}};
  if (v.status == "failed")
    out["error"] = {{"step", text_or_null(v.failed_step)}, {"message", text_or_null(v.error)}};
  return out;
}

}  // namespace projects
