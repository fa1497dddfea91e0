#include "session_view.hpp"

#include <algorithm>

#include "ambit/sdk/time.hpp"
#include "authenticator.hpp"

namespace json = boost::json;
namespace sdk = ambit::sdk;

namespace console {
namespace {

std::string cookie_attributes(const std::string& public_url) {
  std::string a = "; Path=/; HttpOnly; SameSite=Strict";
  if (public_url.starts_with("https://")) a += "; Secure";
  return a;
}

}  // namespace

json::object session_json(sdk::Context& ctx, const Config& config, const SessionRecord& s, std::string_view token) {
  auto& identity = ctx.identity();
  json::object user{{"id", s.user_id}, {"email", ""}};
  json::array workspaces;
  std::string role;
  for (auto& m : identity.memberships(s.user_id)) {
    user["email"] = m.email;
    auto tenant = identity.tenant(m.tenant_id);
    workspaces.push_back({{"tenant_id", m.tenant_id}, {"name", tenant ? tenant->name : ""}, {"role", m.role}});
    if (m.tenant_id == s.tenant_id) role = m.role;
  }
  auto tenant = identity.tenant(s.tenant_id);
  json::array scopes;
  for (auto& scope : identity.role_scopes(role)) scopes.push_back(json::string(scope));
  json::array pages;
  for (auto& p : ctx.console_pages()) pages.push_back({{"title", p.title}, {"script", p.script}});
  std::int64_t now = ctx.clock().now_ms();
  return {{"id", s.id},
          {"user", std::move(user)},
          {"tenant", {{"id", s.tenant_id}, {"name", tenant ? tenant->name : ""}}},
          {"role", role},
          {"scopes", std::move(scopes)},
          {"csrf_token", ctx.csrf_token(token)},
          {"expires_at", sdk::format_time(std::min(s.expires_at, now + config.idle_ttl.count()))},
          {"idle_timeout_seconds", config.idle_ttl.count() / 1000},
          {"workspaces", std::move(workspaces)},
          {"pages", std::move(pages)}};
}

std::string session_cookie(const std::string& public_url, std::string_view token) {
  return std::string(kCookie) + "=" + std::string(token) + cookie_attributes(public_url);
}

std::string cleared_cookie(const std::string& public_url) {
  return std::string(kCookie) + "=" + cookie_attributes(public_url) + "; Max-Age=0";
}

}  // namespace console
