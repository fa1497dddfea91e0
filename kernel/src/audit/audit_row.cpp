#include "audit/audit_row.hpp"

#include "ambit/sdk/time.hpp"

namespace ambit::kernel {
namespace {
constexpr char kSeparator = '\x1f';  // ASCII unit separator: never in ids, routes, methods or addresses

boost::json::value or_null(std::string_view v) {
  return v.empty() ? boost::json::value(nullptr) : boost::json::value(boost::json::string(v));
}
}  // namespace

AuditRow AuditRow::from(const sdk::AuditRecord& r, const AuditFields& f) {
  AuditRow row;
  row.at = r.at;
  row.status = r.status;
  row.legacy = r.legacy_mode;
  const std::string_view fields[kTextColumns] = {r.id,     r.tenant_id, r.user_id,    r.credential_type,
                                                 r.credential_id, r.method, r.route, r.request_id,
                                                 f.tool,   f.operation, f.client_ip};
  std::size_t size = 0;
  for (auto field : fields) size += field.size() + 1;
  row.text.reserve(size);
  for (auto field : fields) {
    row.text += field;
    row.text += kSeparator;
  }
  return row;
}

std::array<std::string_view, kTextColumns> AuditRow::columns() const {
  std::array<std::string_view, kTextColumns> out{};
  std::string_view rest = text;
  for (auto& column : out) {
    auto end = rest.find(kSeparator);
    if (end == std::string_view::npos) break;
    column = rest.substr(0, end);
    rest.remove_prefix(end + 1);
  }
  return out;
}

boost::json::object AuditRow::to_json() const {
  auto c = columns();
  return {{"id", c[kId]},
          {"at", sdk::format_time(at)},
          {"tenant_id", c[kTenant]},
          {"user_id", or_null(c[kUser])},
          {"credential_type", c[kCredentialType]},
          {"credential_id", c[kCredentialId]},
          {"method", c[kMethod]},
          {"route", c[kRoute]},
          {"operation", or_null(c[kOperation])},
          {"tool", or_null(c[kTool])},
          {"status", status},
          {"request_id", c[kRequestId]},
          {"client_ip", or_null(c[kClientIp])},
          {"legacy_mode", legacy}};
}

}  // namespace ambit::kernel
