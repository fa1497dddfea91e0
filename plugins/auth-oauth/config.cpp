#include "config.hpp"


namespace oauth {

boost::json::value config_schema() {
  return boost::json::parse(R"json({"type": "object", "properties": {
    "access_token_ttl_s": {"type": "integer", "minimum": 60, "maximum": 86400, "default": 3600},
    "code_ttl_s": {"type": "integer", "minimum": 10, "maximum": 60, "default": 60,
                   "description": "authorization codes live at most 60 s (OAuth 2.1)"},
    "login_ttl_s": {"type": "integer", "minimum": 60, "maximum": 3600, "default": 600,
                    "description": "time between signing in and approving on the consent page"},
    "registration": {"type": "object", "properties": {
      "mode": {"type": "string", "enum": ["open", "tenant"], "default": "open",
               "description": "open: anyone may register (MCP clients register themselves); tenant: a tenant credential is required, as the initial access token"},
      "per_minute_per_address": {"type": "integer", "minimum": 1, "default": 20},
      "max_anonymous_clients": {"type": "integer", "minimum": 1,
                                "description": "clients registered without a credential (bound to no tenant), in all; default 10000, or max_clients when only that is set"},
      "max_clients": {"type": "integer", "minimum": 1,
                      "description": "deprecated: the cap of anonymous clients when max_anonymous_clients is not set (it no longer counts tenant-bound clients)"},
      "max_clients_per_tenant": {"type": "integer", "minimum": 1, "default": 100,
                                 "description": "clients bound to one tenant (registered with its credential)"},
      "idle_client_days": {"type": "integer", "minimum": 0, "default": 30,
                           "description": "clients never used for this long are deleted by a durable job; 0 keeps them"},
      "reap_interval_s": {"type": "integer", "minimum": 1, "default": 3600}
    }},
    "login": {"type": "object", "description": "deprecated and ignored: sign-in attempts are budgeted by the kernel (identity.sign_in)",
      "properties": {
        "failures_per_account": {"type": "integer", "minimum": 1, "description": "deprecated, ignored"},
        "failures_per_address": {"type": "integer", "minimum": 1, "description": "deprecated, ignored"},
        "failure_window_s": {"type": "integer", "minimum": 1, "description": "deprecated, ignored"}
      }},
    "cache_max_entries": {"type": "integer", "minimum": 100, "default": 100000},
    "refresh_reuse_grace_seconds": {"type": "integer", "minimum": 0, "maximum": 300, "default": 10,
                                    "description": "a rotated refresh token presented once more within this many seconds of its rotation refreshes again (app processes sharing one token, refreshing at once); a second reuse, or one after the window, revokes the grant. 0: every reuse revokes the grant"}
  }})json");
}

Config parse_config(const boost::json::object& s) {
  Config c;
  auto seconds = [](const boost::json::value& v) { return std::chrono::seconds(v.as_int64()); };
  c.access_ttl = seconds(s.at("access_token_ttl_s"));
  c.code_ttl = seconds(s.at("code_ttl_s"));
  c.login_ttl = seconds(s.at("login_ttl_s"));
  const auto& reg = s.at("registration").as_object();
  c.registration_open = reg.at("mode").as_string() == "open";
  c.register_per_minute = static_cast<int>(reg.at("per_minute_per_address").as_int64());
  // Older configs capped every client with max_clients; it now caps the anonymous ones only.
  const auto* anonymous = reg.if_contains("max_anonymous_clients");
  if (!anonymous) anonymous = reg.if_contains("max_clients");
  if (anonymous) c.max_anonymous_clients = static_cast<std::size_t>(anonymous->as_int64());
  c.max_clients_per_tenant = static_cast<std::size_t>(reg.at("max_clients_per_tenant").as_int64());
  c.idle_client_ttl = std::chrono::hours(24 * reg.at("idle_client_days").as_int64());
  c.reap_interval = seconds(reg.at("reap_interval_s"));
  c.cache_max_entries = static_cast<std::size_t>(s.at("cache_max_entries").as_int64());
  c.refresh_reuse_grace = seconds(s.at("refresh_reuse_grace_seconds"));
  return c;
}

}  // namespace oauth
