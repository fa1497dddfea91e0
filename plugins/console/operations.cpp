#include "operations.hpp"

namespace sdk = ambit::sdk;

namespace console {
namespace {

boost::json::value session_schema() {
  return sdk::data_of(sdk::schema(R"json({"type": "object",
    "required": ["id", "user", "tenant", "role", "scopes", "csrf_token", "expires_at", "idle_timeout_seconds",
                 "workspaces", "pages"],
    "properties": {
      "id": {"type": "string", "description": "the session's id (sn_...): credential.id in /v1/me and in audit rows"},
      "user": {"type": "object", "required": ["id", "email"], "properties": {
        "id": {"type": "string"}, "email": {"type": "string"}}},
      "tenant": {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}}},
      "role": {"type": "string", "description": "the user's role in this workspace"},
      "scopes": {"type": "array", "items": {"type": "string"}, "description": "the role's default scopes: what the session may do"},
      "csrf_token": {"type": "string", "description": "send as X-CSRF-Token with every POST, PUT, PATCH and DELETE"},
      "expires_at": {"type": "string", "format": "date-time", "description": "when the session ends without another request"},
      "idle_timeout_seconds": {"type": "integer", "description": "each request moves expires_at this far ahead, up to the session's maximum age"},
      "workspaces": {"type": "array", "description": "every workspace of the user, for a switcher", "items": {
        "type": "object", "required": ["tenant_id", "name", "role"], "properties": {
          "tenant_id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}}}},
      "pages": {"type": "array", "description": "console pages other plugins add", "items": {
        "type": "object", "required": ["title", "script"], "properties": {
          "title": {"type": "string"}, "script": {"type": "string", "description": "an ES module exporting render(root, ctx)"}}}}}})json"));
}

/// Answered in the session's own terms (a cookie), so the handler checks and no tool is made of it.
sdk::Operation browser_only(sdk::Operation op) {
  op.handler_validates = true;
  return op;
}

}  // namespace

sdk::Operation sign_in_operation() {
  return {.id = "console_sessions.sign_in",
          .title = "Sign in to the console",
          .description = "Checks the email and password (with the same attempt budget as the OAuth sign-in page) "
                         "and opens a console session in the user's first workspace, or in tenant_id. The session is "
                         "the Set-Cookie ambit_session (HttpOnly, SameSite=Strict); it is accepted only from this "
                         "server's pages, never in a header. Only from this server's own origin.",
          .body = sdk::schema(R"json({"type": "object", "required": ["email", "password"], "additionalProperties": false,
            "properties": {
              "email": {"type": "string", "minLength": 1, "maxLength": 320},
              "password": {"type": "string", "minLength": 1, "maxLength": 1024, "writeOnly": true},
              "tenant_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "the workspace to open"}}})json"),
          .output = session_schema(),
          .errors = {{401, "INVALID_CREDENTIALS", "the email or the password is wrong"},
                     {403, "NO_WORKSPACE", "the account is a member of no workspace"},
                     {403, "NOT_A_MEMBER", "the account is not a member of tenant_id"},
                     {403, "CSRF_REJECTED", "the request came from another site"},
                     {429, "too_many_requests", "the attempt budget is spent: wait Retry-After seconds"}}};
}

sdk::Operation session_operation() {
  return browser_only({.id = "console_sessions.get",
                       .title = "The console session",
                       .description = "Who is signed in, in which workspace, with which scopes, and the CSRF token "
                                      "the console sends with unsafe requests.",
                       .output = session_schema(),
                       .errors = {{403, "NOT_A_SESSION", "the credential is not a console session"}},
                       .read_only = true});
}

sdk::Operation switch_workspace_operation() {
  return browser_only({.id = "console_sessions.switch_workspace",
                       .title = "Open another workspace",
                       .description = "Ends this session and opens one in tenant_id (a new cookie).",
                       .body = sdk::schema(R"json({"type": "object", "required": ["tenant_id"], "properties": {
                         "tenant_id": {"type": "string", "maxLength": 64}}})json"),
                       .output = session_schema(),
                       .errors = {{403, "NOT_A_MEMBER", "you are not a member of that workspace"},
                                  {403, "NOT_A_SESSION", "the credential is not a console session"}}});
}

sdk::Operation sign_out_operation() {
  return browser_only({.id = "console_sessions.sign_out",
                       .title = "Sign out of the console",
                       .description = "Ends the session on every server process at once and clears the cookie.",
                       .statuses = {204},
                       .errors = {{403, "NOT_A_SESSION", "the credential is not a console session"}},
                       .idempotent = true});
}

sdk::Operation page_operation() {
  return browser_only({.id = "console_page.get",
                       .title = "Open the console",
                       .description = "The console's page: it loads its script and styles from /console/assets and "
                                      "shows the sign-in form or the signed-in session. Not framable.",
                       .output = sdk::schema(R"json({"type": "string", "description": "the HTML page"})json"),
                       .read_only = true,
                       .idempotent = true,
                       .output_media_type = "text/html"});
}

sdk::Operation file_operation() {
  return browser_only({.id = "console_files.get",
                       .title = "A file of the console",
                       .description = "A script, stylesheet or image of the console, with an ETag (If-None-Match "
                                      "answers 304).",
                       .params = sdk::schema(R"json({"type": "object", "properties": {
                         "file": {"type": "string", "maxLength": 64, "description": "a file name, e.g. app.js"}}})json"),
                       .output = sdk::schema(R"json({"type": "string", "description": "the file (JavaScript, CSS or SVG)"})json"),
                       .errors = {{404, "NOT_FOUND", "no such file"}},
                       .read_only = true,
                       .idempotent = true,
                       .output_media_type = "text/javascript"});
}

}  // namespace console
