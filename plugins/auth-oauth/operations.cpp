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

/// Adds `more`'s properties (and required names) to the object schema `into`.
json::value with(json::value into, const json::value& more) {
  auto& o = into.as_object();
  for (auto& [k, v] : more.as_object().at("properties").as_object()) o["properties"].as_object()[k] = v;
  if (auto* req = more.as_object().if_contains("required")) {
    if (!o.contains("required")) o["required"] = json::array{};
    for (auto& r : req->as_array()) o["required"].as_array().push_back(r);
  }
  return into;
}

/// A client's registered metadata, as the registration answer and the list show it.
json::value client_metadata() {
  return sdk::schema(R"json({"type": "object",
      "required": ["client_id", "client_id_issued_at", "client_name", "redirect_uris", "token_endpoint_auth_method",
                   "grant_types", "response_types"],
      "properties": {
        "client_id": {"type": "string", "description": "mcp_ and 24 base62 characters"},
        "client_id_issued_at": {"type": "integer", "description": "registration time, seconds since the epoch"},
        "client_name": {"type": "string"},
        "redirect_uris": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "token_endpoint_auth_method": {"type": "string", "enum": ["none", "client_secret_basic", "client_secret_post"]},
        "grant_types": {"type": "array", "items": {"type": "string", "enum": ["authorization_code", "refresh_token"]}},
        "response_types": {"type": "array", "items": {"type": "string", "const": "code"}},
        "scope": {"type": "string",
                  "description": "present only when the client registered one: the most it may ask for, space-separated"}}})json");
}

/// How a client names and proves itself at the token, revocation and introspection endpoints.
json::value client_authentication() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "client_id": {"type": "string", "description": "the client's id, unless it is in Authorization: Basic"},
      "client_secret": {"type": "string", "description": "client_secret_post clients only"}}})json");
}

/// The parameters of an authorization request (query of GET, hidden fields of the POST forms).
json::value authorization_request() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "response_type": {"type": "string", "const": "code"},
      "client_id": {"type": "string", "description": "a registered client's id"},
      "redirect_uri": {"type": "string", "format": "uri",
                       "description": "one of the client's registered URIs (an http loopback URI may differ in the port only); may be left out when the client registered exactly one"},
      "scope": {"type": "string",
                "description": "space-separated scopes, each in the catalog and in the client's registered scope; without it, the client's registered scope"},
      "state": {"type": "string", "description": "returned unchanged with the answer"},
      "code_challenge": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$",
                         "description": "BASE64URL(SHA-256(code_verifier)), without padding"},
      "code_challenge_method": {"type": "string", "const": "S256", "description": "plain is refused"},
      "resource": {"type": "string", "format": "uri",
                   "description": "RFC 8707: the resource of this server the tokens are for (server.public_url or a path below it, without a query or fragment), once; anything else is invalid_target"}}})json");
}

json::value html() { return sdk::schema(R"json({"type": "string", "description": "an HTML page"})json"); }

/// {"data": {<id_field>: ..., "revoked": true}}
json::value revoked(const char* id_field) {
  auto v = sdk::schema(R"json({"type": "object", "required": ["revoked"], "properties": {
      "revoked": {"type": "boolean", "const": true}}})json");
  v.as_object()["properties"].as_object()[id_field] = {{"type", "string"}};
  v.as_object()["required"].as_array().push_back(json::string(id_field));
  return sdk::data_of(std::move(v));
}

const sdk::ErrorCase kInvalidClient{401, "invalid_client", "client authentication failed (RFC 6749 2.3)"};

}  // namespace

sdk::Operation oauth_clients_register() {
  auto out = with(client_metadata(), sdk::schema(R"json({"properties": {
      "client_secret": {"type": "string", "description": "confidential clients only (mcs_...): shown once, never again"},
      "client_secret_expires_at": {"type": "integer", "const": 0, "description": "confidential clients only: 0, it does not expire"}}})json"));
  return protocol({
      .id = "oauth_clients.register",
      .title = "Register an OAuth client",
      .description = "Dynamic client registration (RFC 7591). Without a credential the client is unbound (in "
                     "registration mode open); with a tenant credential holding oauth_clients:manage it is bound to "
                     "that tenant. Errors are RFC 7591 bodies: {\"error\": \"invalid_redirect_uri\", "
                     "\"error_description\": \"...\"}. Answers carry Cache-Control: no-store.",
      .body = sdk::schema(R"json({"type": "object", "required": ["redirect_uris"], "properties": {
          "client_name": {"type": ["string", "null"], "minLength": 1, "maxLength": 200, "default": "Unnamed application",
                          "description": "shown to the user on the sign-in and consent pages"},
          "redirect_uris": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "format": "uri"},
                            "description": "https URIs, or http on exactly localhost, 127.0.0.1 or [::1]; no user info, no fragment"},
          "token_endpoint_auth_method": {"type": ["string", "null"], "default": "none",
                                         "enum": ["none", "client_secret_basic", "client_secret_post", null],
                                         "description": "none: a public client (PKCE only); the others receive a client_secret"},
          "grant_types": {"type": ["array", "null"], "default": ["authorization_code", "refresh_token"],
                          "items": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
                          "description": "must include authorization_code; without refresh_token no refresh tokens are issued"},
          "response_types": {"type": ["array", "null"], "default": ["code"], "items": {"type": "string", "const": "code"}},
          "scope": {"type": ["string", "null"],
                    "description": "space-separated scopes of the catalog: the most the client may ask for; without it, any"}}})json"),
      .output = std::move(out),
      .statuses = {201},
      .errors = {{400, "invalid_redirect_uri", "redirect_uris missing, empty, over 20, or a URI the rules refuse"},
                 {400, "invalid_client_metadata", "the body is not a JSON object, or another field is wrong"},
                 {401, "unauthenticated", "an invalid credential, or none in registration mode tenant (kernel envelope)"},
                 {403, "access_denied", "the credential lacks oauth_clients:manage"},
                 {403, "registration_limit_reached", "the deployment's unbound clients, or the tenant's clients, are at their cap"},
                 {429, "too_many_requests", "too many registrations from this address in the last minute (Retry-After)"}},
      .examples = sdk::schema(R"json({
          "body": {"client_name": "My desktop integration", "redirect_uris": ["https://myapp.example/oauth/callback"]},
          "output": {"client_id": "mcp_abc123...", "client_id_issued_at": 1776168000,
                     "client_name": "My desktop integration", "redirect_uris": ["https://myapp.example/oauth/callback"],
                     "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
                     "response_types": ["code"]}})json")});
}

sdk::Operation oauth_metadata_get() {
  json::object props, strings{{"type", "array"}, {"items", {{"type", "string"}}}};
  json::array required;
  for (const char* url : {"issuer", "authorization_endpoint", "token_endpoint", "registration_endpoint",
                          "revocation_endpoint", "introspection_endpoint"}) {
    props[url] = {{"type", "string"}, {"format", "uri"}};
    required.emplace_back(url);
  }
  for (const char* list : {"response_types_supported", "response_modes_supported", "grant_types_supported",
                           "code_challenge_methods_supported", "token_endpoint_auth_methods_supported",
                           "revocation_endpoint_auth_methods_supported",
                           "introspection_endpoint_auth_methods_supported", "scopes_supported"}) {
    props[list] = strings;
    required.emplace_back(list);
  }
  props["scopes_supported"].as_object()["description"] = "the deployment's scope catalog, sorted";
  props["authorization_response_iss_parameter_supported"] = {{"type", "boolean"}, {"const", true}};
  required.emplace_back("authorization_response_iss_parameter_supported");
  return protocol({.id = "oauth_metadata.get",
                   .title = "Get the authorization server metadata",
                   .description = "RFC 8414 metadata: the issuer (server.public_url), the endpoints, the supported "
                                  "grant types, PKCE methods, client authentication methods and scopes.",
                   .output = json::object{{"type", "object"}, {"required", std::move(required)}, {"properties", std::move(props)}},
                   .read_only = true,
                   .idempotent = true});
}

sdk::Operation oauth_authorizations_show() {
  auto query = authorization_request();
  query.as_object()["required"] = json::array{"response_type", "client_id", "code_challenge", "code_challenge_method"};
  return protocol({.id = "oauth_authorizations.show",
                   .title = "Open the authorization page",
                   .description = "The authorization endpoint (response_type=code, PKCE S256): the sign-in page, "
                                  "which sets the CSRF cookie. A request error of a client some user authorized "
                                  "before goes back to its redirect URI as a 302 with error, error_description, "
                                  "state and iss; any other error shows an error page.",
                   .query = std::move(query),
                   .output = html(),
                   .errors = {{400, "invalid_request", "an error page: a repeated parameter, an unknown client or "
                                                       "redirect URI, or a request error of a client nobody authorized yet"}},
                   .read_only = true,
                   .idempotent = true,
                   .output_media_type = "text/html"});
}

sdk::Operation oauth_authorizations_submit() {
  auto body = with(authorization_request(), sdk::schema(R"json({"required": ["csrf_token", "step"], "properties": {
      "csrf_token": {"type": "string", "description": "equal to the ambit_oauth_csrf cookie (double submit)"},
      "step": {"type": "string", "enum": ["login", "consent"]},
      "email": {"type": "string", "description": "step=login"},
      "password": {"type": "string", "description": "step=login"},
      "login_ticket": {"type": "string", "description": "step=consent: from the consent page"},
      "decision": {"type": "string", "description": "step=consent: approve; any other value denies"},
      "tenant_id": {"type": "string", "description": "step=consent: the workspace chosen"}}})json"));
  return protocol({.id = "oauth_authorizations.submit",
                   .title = "Submit the sign-in or consent form",
                   .description = "The forms of the authorization pages. step=login checks the password and shows "
                                  "the consent page; step=consent approves (a 302 to the redirect URI with code, "
                                  "state and iss) or denies (a 302 with error=access_denied).",
                   .body = std::move(body),
                   .output = html(),
                   .errors = {{400, "invalid_request", "an error page (a malformed form, an invalid request, an unknown "
                                                       "step), or the sign-in page again (wrong email or password, an expired sign-in)"},
                              {403, "access_denied", "an error page: the form could not be verified (CSRF), no "
                                                     "workspace, or not a member of the chosen workspace"},
                              {429, "too_many_requests", "the sign-in page again: wait Retry-After seconds"}},
                   .body_media_type = kForm,
                   .output_media_type = "text/html"});
}

sdk::Operation oauth_tokens_issue() {
  auto body = with(sdk::schema(R"json({"type": "object", "required": ["grant_type"], "properties": {
      "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
      "code": {"type": "string", "description": "authorization_code: the code from the redirect (amb_oac_...)"},
      "redirect_uri": {"type": "string", "description": "authorization_code: the authorization request's redirect_uri, unchanged"},
      "code_verifier": {"type": "string", "minLength": 43, "maxLength": 128, "description": "authorization_code: the PKCE verifier"},
      "refresh_token": {"type": "string", "description": "refresh_token: the grant's latest refresh token (amb_ort_...)"},
      "scope": {"type": "string", "description": "refresh_token: narrow the new tokens to these scopes (space-separated)"},
      "resource": {"type": "string", "format": "uri",
                   "description": "RFC 8707, once: the resource authorized (authorization_code: or, when the authorization named none, a resource of this server the grant is bound to from then on); refresh_token: the grant's"}}})json"),
                   client_authentication());
  return protocol({
      .id = "oauth_tokens.issue",
      .title = "Exchange a code or a refresh token for tokens",
      .description = "The token endpoint (RFC 6749): grant_type authorization_code with the PKCE code_verifier, or "
                     "refresh_token (rotated on every use; a rotated one may be presented once more within "
                     "refresh_reuse_grace_seconds, any other reuse revokes the whole grant), each with an optional "
                     "RFC 8707 resource. Errors are RFC 6749 5.2 bodies; answers carry Cache-Control: no-store.",
      .body = std::move(body),
      .output = sdk::schema(R"json({"type": "object", "required": ["access_token", "token_type", "expires_in", "scope"],
          "properties": {
            "access_token": {"type": "string", "description": "amb_oat_...: the credential for every other route"},
            "token_type": {"type": "string", "const": "Bearer"},
            "expires_in": {"type": "integer", "description": "seconds the access token lives"},
            "refresh_token": {"type": "string", "description": "single use; present when the client registered the refresh_token grant type"},
            "scope": {"type": "string", "description": "the scopes granted, space-separated"}}})json"),
      .errors = {{400, "invalid_request", "a malformed form, a repeated or missing parameter"},
                 kInvalidClient,
                 {400, "unsupported_grant_type", "another grant_type"},
                 {400, "unauthorized_client", "the client did not register this grant type"},
                 {400, "invalid_grant", "the code or refresh token is unknown, expired, revoked, another client's or used "
                                        "before; redirect_uri or code_verifier does not match; the user left the tenant"},
                 {400, "invalid_scope", "a refresh asks for a scope the refresh token does not hold"},
                 {400, "invalid_target", "resource named twice, not a resource of this server, or not the one authorized"}},
      .body_media_type = kForm,
      .examples = sdk::schema(R"json({
          "body": {"grant_type": "authorization_code", "code": "<code>",
                   "redirect_uri": "https://myapp.example/oauth/callback", "client_id": "mcp_abc123...",
                   "code_verifier": "<verifier>"},
          "output": {"access_token": "...", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "...",
                     "scope": "data:read pages:read pages:write"}})json")});
}

sdk::Operation oauth_tokens_revoke() {
  auto body = with(sdk::schema(R"json({"type": "object", "required": ["token"], "properties": {
      "token": {"type": "string", "description": "an access or refresh token of this client"},
      "token_type_hint": {"type": "string", "description": "ignored: the token's kind is known from the token"}}})json"),
                   client_authentication());
  return protocol({.id = "oauth_tokens.revoke",
                   .title = "Revoke a token",
                   .description = "RFC 7009. A refresh token ends its whole grant; an access token ends alone. A "
                                  "token that is unknown, revoked already or another client's changes nothing and "
                                  "answers 200 all the same.",
                   .body = std::move(body),
                   .output = sdk::schema(R"json({"type": "object", "maxProperties": 0, "description": "{}"})json"),
                   .errors = {{400, "invalid_request", "a malformed form, or token missing"}, kInvalidClient},
                   .destructive = true,
                   .idempotent = true,
                   .body_media_type = kForm});
}

sdk::Operation oauth_tokens_introspect() {
  auto body = with(sdk::schema(R"json({"type": "object", "required": ["token"], "properties": {
      "token": {"type": "string", "description": "an access or refresh token of this client"}}})json"),
                   client_authentication());
  return protocol({.id = "oauth_tokens.introspect",
                   .title = "Introspect a token",
                   .description = "RFC 7662, for confidential clients about their own tokens. Anything but a live "
                                  "token of this client whose user is still a member answers {\"active\": false}.",
                   .body = std::move(body),
                   .output = sdk::schema(R"json({"type": "object", "required": ["active"], "properties": {
                       "active": {"type": "boolean"},
                       "scope": {"type": "string", "description": "the token's granted scope"},
                       "client_id": {"type": "string"},
                       "sub": {"type": "string", "description": "the user's id"},
                       "tenant_id": {"type": "string"},
                       "token_type": {"type": "string", "enum": ["Bearer", "refresh_token"]},
                       "iat": {"type": "integer", "description": "issued, seconds since the epoch"},
                       "exp": {"type": "integer", "description": "access tokens only: expiry, seconds since the epoch"},
                       "iss": {"type": "string"},
                       "aud": {"type": "string", "description": "the resource (RFC 8707) the token was issued for; absent for none"}}})json"),
                   .errors = {{400, "invalid_request", "a malformed form"},
                              {401, "invalid_client", "client authentication failed, or a public client"}},
                   .read_only = true,
                   .idempotent = true,
                   .body_media_type = kForm});
}

sdk::Operation oauth_clients_list() {
  auto item = with(client_metadata(), sdk::schema(R"json({"required": ["created_at", "last_used_at"], "properties": {
      "created_at": {"type": "string", "format": "date-time", "description": "registration time"},
      "last_used_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "the last time a token was issued to the client; null if never"}}})json"));
  return {.id = "oauth_clients.list",
          .title = "List OAuth clients",
          .description = "The OAuth clients bound to the caller's tenant (registered with one of its credentials), "
                         "oldest first, in pages. Never a secret.",
          .query = sdk::page_query(),
          .output = sdk::page_of(std::move(item)),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation oauth_clients_revoke() {
  return {.id = "oauth_clients.revoke",
          .title = "Revoke an OAuth client",
          .description = "Deletes a client bound to the caller's tenant with every grant, code, access token and "
                         "refresh token it holds, in every tenant. Irreversible: the app must register again.",
          .params = sdk::schema(R"json({"type": "object", "properties": {
              "clientId": {"type": "string", "maxLength": 128, "description": "the client's client_id (mcp_...)"}}})json"),
          .output = revoked("client_id"),
          .errors = {{404, "NOT_FOUND", "no such client bound to the caller's tenant"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation oauth_grants_list() {
  return {.id = "oauth_grants.list",
          .title = "List OAuth grants",
          .description = "The grants in the caller's tenant: which user let which client in, with what scope; "
                         "oldest first, in pages.",
          .query = sdk::page_query(),
          .output = sdk::page_of(sdk::schema(R"json({"type": "object",
              "required": ["id", "client_id", "client_name", "user_id", "scope", "created_at"], "properties": {
                "id": {"type": "string", "description": "ogr_...: the credential.id of its access tokens"},
                "client_id": {"type": "string"},
                "client_name": {"type": "string", "description": "empty when the client is gone"},
                "user_id": {"type": "string", "description": "the user who approved"},
                "scope": {"type": "string", "description": "the scopes granted, space-separated"},
                "created_at": {"type": "string", "format": "date-time", "description": "when the user approved"}}})json")),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation oauth_grants_revoke() {
  return {.id = "oauth_grants.revoke",
          .title = "Revoke an OAuth grant",
          .description = "Deletes one grant with its codes and tokens; the client stays registered. Another member's "
                         "grant only when the caller's role ranks at least as high as theirs.",
          .params = sdk::schema(R"json({"type": "object", "properties": {
              "grantId": {"type": "string", "maxLength": 128, "description": "the grant's id (ogr_...)"}}})json"),
          .output = revoked("grant_id"),
          .errors = {{403, "forbidden", "the grant's user ranks above the caller (details.reason role_above_caller)"},
                     {404, "NOT_FOUND", "no such grant in the caller's tenant"}},
          .destructive = true,
          .idempotent = true};
}

}  // namespace oauth::operations
