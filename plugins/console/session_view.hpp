#pragma once
// What the console page learns about its session: the Session object of
// GET /console/api/session and the sign-in answers, and the cookie headers.

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "ambit/sdk/context.hpp"
#include "config.hpp"
#include "store.hpp"

namespace console {

/// {"id", "user", "tenant", "role", "scopes", "csrf_token", "expires_at",
///  "idle_timeout_seconds", "workspaces", "pages"}; `token` is the cookie's.
boost::json::object session_json(ambit::sdk::Context& ctx, const Config& config, const SessionRecord& session,
                                 std::string_view token);

/// Set-Cookie for a new session: HttpOnly, SameSite=Strict, Path=/, Secure
/// when the server's public URL is https; no Max-Age (it ends with the
/// browser session, and the server ends it earlier).
std::string session_cookie(const std::string& public_url, std::string_view token);
/// Set-Cookie that deletes it.
std::string cleared_cookie(const std::string& public_url);

}  // namespace console
