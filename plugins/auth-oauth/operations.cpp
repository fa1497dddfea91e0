#include "operations.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace oauth::operations {
namespace {

constexpr const char* kForm = "application/x-www-form-urlencoded";

/// A protocol endpoint: its own error format, described here, checked by the handler.
sdk::Operation protocol(sdk::Operation op) {
  op.handler_validates = true;
  return op;
}

json::value client_fields() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "client_id": {"type": "string"},
      "client_name": {"type": "string"},
      "redirect_uris": {"type": "array", "items": {"type": "string", "format": "uri"}},
      "grant_types": {"type": "array", "items": {"type": "string", "enum": ["authorization_code", "refresh_token"]}},
      "response_types": {"type": "array", "items": {"type": "string", "enum": ["code"]}},
      "token_endpoint_auth_method": {"type": "string", "enum": ["none", "client_secret_basic", "client_secret_post"]},
      "scope": {"type": "string", "description": "space-separated scopes the client may ask for"}}})json");
}

json::value html() { return sdk::schema(R"json({"type": "string", "description": "an HTML page"})json"); }

json::value revoked(const char* id_field) {
  auto v = sdk::schema(R"json({"type": "object", "required": ["revoked"], "properties": {
      "revoked": {"type": "boolean", "const": true}}})json");
  v.as_object()["properties"].as_object()[id_field] = {{"type", "string"}};
  v.as_object()["required"].as_array().push_back(json::string(id_field));
  return sdk::data_of(std::move(v));
}

}  // namespace

sdk::Operation oauth_clients_register() {
  auto out = client_fields();
  auto& props = out.as_object()["properties"].as_object();
  props["client_secret"] = {{"type", "string"}, {"description", "confidential clients only; shown once"}};
  props["client_id_issued_at"] = {{"type", "integer"}};
  return protocol({.id = "oauth_clients.register",
                   .title = "Register an OAuth client",
                   .description = "Dynamic client registration (RFC 7591). With a workspace credential holding "
                                  "oauth_clients:manage the client belongs to that workspace. Errors are RFC 7591 "
                                  "bodies ({\"error\": \"invalid_redirect_uri\", ...}).",
                   .body = sdk::schema(R"json({"type": "object", "required": ["redirect_uris"], "properties": {
                       "client_name": {"type": "string", "maxLength": 200},
                       "redirect_uris": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "uri"},
                                         "description": "exact https URLs, or http loopback URLs for native apps"},
                       "grant_types": {"type": "array", "items": {"type": "string"}},
                       "token_endpoint_auth_method": {"type": "string"},
                       "scope": {"type": "string"}}})json"),
                   .output = std::move(out),
                   .statuses = {201},
                   .errors = {{400, "invalid_redirect_uri", "a redirect URI is not allowed"},
                              {400, "invalid_client_metadata", "other metadata is wrong"},
                              {429, "too_many_requests", "too many registrations from this address"}},
                   .examples = {{"body", {{"client_name", "My desktop integration"},
                                          {"redirect_uris", {"https://myapp.example/oauth/callback"}}}}}});
}

sdk::Operation oauth_metadata_get() {
  return protocol({.id = "oauth_metadata.get",
                   .title = "Get the authorization server metadata",
                   .description = "RFC 8414 metadata: endpoints, supported grant types, PKCE methods and scopes.",
                   .output = sdk::schema(R"json({"type": "object", "required": ["issuer", "authorization_endpoint", "token_endpoint"],
                       "properties": {"issuer": {"type": "string"}, "authorization_endpoint": {"type": "string"},
                                      "token_endpoint": {"type": "string"}, "registration_endpoint": {"type": "string"},
                                      "scopes_supported": {"type": "array", "items": {"type": "string"}}}})json"),
                   .read_only = true,
                   .idempotent = true});
}

sdk::Operation oauth_authorize_page() {
  return protocol({.id = "oauth_authorization.show",
                   .title = "Open the authorization page",
                   .description = "The sign-in and consent pages of the authorization endpoint (response_type=code, "
                                  "PKCE S256). Errors go back to the client's redirect URI, or show an error page.",
                   .query = sdk::schema(R"json({"type": "object", "required": ["client_id", "redirect_uri", "response_type",
                       "code_challenge", "code_challenge_method"], "properties": {
                       "client_id": {"type": "string"}, "redirect_uri": {"type": "string"},
                       "response_type": {"type": "string", "enum": ["code"]},
                       "code_challenge": {"type": "string", "minLength": 43, "maxLength": 128},
                       "code_challenge_method": {"type": "string", "enum": ["S256"]},
                       "scope": {"type": "string"}, "state": {"type": "string"}}})json"),
                   .output = html(),
                   .errors = {{400, "invalid_request", "an error page: the client or redirect URI is unknown"}},
                   .read_only = true,
                   .output_media_type = "text/html"});
}

sdk::Operation oauth_authorize_submit() {
  return protocol({.id = "oauth_authorization.submit",
                   .title = "Submit the sign-in or consent form",
                   .description = "step=login signs the user in; step=consent approves or denies, then redirects (302) "
                                  "to the client with a code. Double-submit CSRF token required.",
                   .body = sdk::schema(R"json({"type": "object", "required": ["step", "csrf_token"], "properties": {
                       "step": {"type": "string", "enum": ["login", "consent"]},
                       "csrf_token": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string"},
                       "decision": {"type": "string", "enum": ["approve", "deny"]}, "tenant_id": {"type": "string"}}})json"),
                   .output = html(),
                   .statuses = {200},
                   .errors = {{400, "invalid_request", "an error page"}, {403, "csrf", "the form could not be verified"}},
                   .body_media_type = kForm,
                   .output_media_type = "text/html"});
}

sdk::Operation oauth_tokens_issue() {
  return protocol({.id = "oauth_tokens.issue",
                   .title = "Exchange a code or a refresh token",
                   .description = "The token endpoint (RFC 6749): grant_type authorization_code (with the PKCE "
                                  "code_verifier) or refresh_token (rotated on every use). RFC 6749 error bodies.",
                   .body = sdk::schema(R"json({"type": "object", "required": ["grant_type"], "properties": {
                       "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
                       "code": {"type": "string"}, "redirect_uri": {"type": "string"}, "code_verifier": {"type": "string"},
                       "refresh_token": {"type": "string"}, "client_id": {"type": "string"},
                       "client_secret": {"type": "string"}}})json"),
                   .output = sdk::schema(R"json({"type": "object", "required": ["access_token", "token_type", "expires_in"],
                       "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string", "const": "Bearer"},
                                      "expires_in": {"type": "integer"}, "refresh_token": {"type": "string"},
                                      "scope": {"type": "string"}}})json"),
                   .errors = {{400, "invalid_grant", "the code or refresh token is invalid, used or expired"},
                              {400, "invalid_request", "a parameter is missing or repeated"},
                              {401, "invalid_client", "client authentication failed"}},
                   .body_media_type = kForm});
}

sdk::Operation oauth_tokens_revoke() {
  return protocol({.id = "oauth_tokens.revoke",
                   .title = "Revoke a token",
                   .description = "RFC 7009. A refresh token ends its whole authorization. Answers 200 for unknown tokens too.",
                   .body = sdk::schema(R"json({"type": "object", "required": ["token"], "properties": {
                       "token": {"type": "string"}, "client_id": {"type": "string"}, "client_secret": {"type": "string"}}})json"),
                   .output = sdk::schema(R"json({"type": "object"})json"),
                   .errors = {{400, "invalid_request", "token is missing"}, {401, "invalid_client", "client authentication failed"}},
                   .destructive = true,
                   .idempotent = true,
                   .body_media_type = kForm});
}

sdk::Operation oauth_tokens_introspect() {
  return protocol({.id = "oauth_tokens.introspect",
                   .title = "Introspect a token",
                   .description = "RFC 7662, for confidential clients about their own tokens.",
                   .body = sdk::schema(R"json({"type": "object", "required": ["token"], "properties": {
                       "token": {"type": "string"}, "client_id": {"type": "string"}, "client_secret": {"type": "string"}}})json"),
                   .output = sdk::schema(R"json({"type": "object", "required": ["active"], "properties": {
                       "active": {"type": "boolean"}, "scope": {"type": "string"}, "client_id": {"type": "string"},
                       "exp": {"type": "integer"}}})json"),
                   .errors = {{401, "invalid_client", "not a confidential client, or authentication failed"}},
                   .read_only = true,
                   .body_media_type = kForm});
}

sdk::Operation oauth_clients_list() {
  auto item = client_fields();
  auto& props = item.as_object()["properties"].as_object();
  props["created_at"] = {{"type", "string"}, {"format", "date-time"}};
  props["last_used_at"] = {{"type", json::array{"string", "null"}}, {"format", "date-time"}};
  return {.id = "oauth_clients.list",
          .title = "List OAuth clients",
          .description = "The OAuth clients registered with this workspace's credentials, oldest first, in pages.",
          .query = sdk::page_query(),
          .output = sdk::page_of(std::move(item)),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation oauth_clients_revoke() {
  return {.id = "oauth_clients.revoke",
          .title = "Revoke an OAuth client",
          .description = "Revokes a client and every access and refresh token it holds. Irreversible.",
          .params = sdk::schema(R"json({"type": "object", "properties": {
              "clientId": {"type": "string", "maxLength": 128, "description": "the client's client_id"}}})json"),
          .output = revoked("client_id"),
          .errors = {{404, "NOT_FOUND", "no such client in this workspace"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation oauth_grants_list() {
  return {.id = "oauth_grants.list",
          .title = "List OAuth grants",
          .description = "Which user let which client into this workspace, with what scope; oldest first, in pages.",
          .query = sdk::page_query(),
          .output = sdk::page_of(sdk::schema(R"json({"type": "object",
              "required": ["id", "client_id", "client_name", "user_id", "scope", "created_at"], "properties": {
                "id": {"type": "string"}, "client_id": {"type": "string"}, "client_name": {"type": "string"},
                "user_id": {"type": "string"}, "scope": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"}}})json")),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation oauth_grants_revoke() {
  return {.id = "oauth_grants.revoke",
          .title = "Revoke an OAuth grant",
          .description = "Revokes one grant with its tokens. Another member's grant only up to the caller's role.",
          .params = sdk::schema(R"json({"type": "object", "properties": {
              "grantId": {"type": "string", "maxLength": 128, "description": "the grant's id"}}})json"),
          .output = revoked("grant_id"),
          .errors = {{403, "role_above_caller", "the grant's user ranks above the caller"},
                     {404, "NOT_FOUND", "no such grant in this workspace"}},
          .destructive = true,
          .idempotent = true};
}

}  // namespace oauth::operations
