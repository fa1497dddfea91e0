#include "identity/identity_operations.hpp"

namespace json = boost::json;

namespace ambit::kernel::identity_ops {
namespace {

// --- fragments shared by several operations ---------------------------------

json::value role() {
  return sdk::schema(R"json({"type": "string", "enum": ["viewer", "editor", "admin", "owner"],
      "description": "a role, lowest to highest: viewer, editor, admin, owner"})json");
}

json::value member() {
  json::value m = sdk::schema(R"json({"type": "object", "required": ["user_id", "email", "role", "created_at"],
      "properties": {
        "user_id": {"type": "string", "description": "the user's id (a UUID)"},
        "email": {"type": "string", "format": "email", "description": "lower-cased"},
        "created_at": {"type": "string", "format": "date-time", "description": "when the user joined this tenant"}}})json");
  m.as_object()["properties"].as_object()["role"] = role();
  return m;
}

/// The key issued to a new owner or member, shown once; null without a credential plugin.
json::value issued_key() {
  return sdk::schema(R"json({"type": ["object", "null"], "required": ["id", "key", "key_prefix"],
      "description": "the user's own API key for the tenant, shown only here; null when no plugin issues credentials",
      "properties": {
        "id": {"type": "string", "description": "the key's id (key_...)"},
        "key": {"type": "string", "description": "the plaintext key: store it now, it is never shown again"},
        "key_prefix": {"type": "string", "description": "the key's first 14 characters, for display"}}})json");
}

json::value invitation(bool with_link) {
  json::value i = sdk::schema(R"json({"type": "object",
      "required": ["id", "tenant_id", "email", "role", "status", "invited_by", "created_at", "expires_at",
                   "accepted_at", "revoked_at"],
      "properties": {
        "id": {"type": "string", "description": "inv_ and 24 characters"},
        "tenant_id": {"type": "string"},
        "email": {"type": "string", "format": "email", "description": "the invitee's address, lower-cased"},
        "status": {"type": "string", "enum": ["pending", "accepted", "revoked", "expired"]},
        "invited_by": {"type": "string", "description": "the inviter's user id"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "accepted_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"}}})json");
  auto& o = i.as_object();
  o["properties"].as_object()["role"] = role();
  if (with_link) {
    o["properties"].as_object()["token"] = sdk::schema(
        R"json({"type": "string", "description": "amb_inv_ and 43 base62 characters; shown only in this answer"})json");
    o["properties"].as_object()["url"] = sdk::schema(
        R"json({"type": "string", "description": "the link to deliver to the invitee (ambit sends no email); shown only in this answer"})json");
    o["required"].as_array().push_back("token");
    o["required"].as_array().push_back("url");
  }
  return i;
}

json::value user_id_param() {
  return sdk::schema(R"json({"type": "object", "properties": {
      "userId": {"type": "string", "maxLength": 64, "description": "the member's user id (a UUID)"}}})json");
}

json::value token_query(const char* what) {
  json::value q = sdk::schema(R"json({"type": "object", "properties": {"token": {"type": "string"}}})json");
  q.as_object()["properties"].as_object()["token"].as_object()["description"] = what;
  return q;
}

json::value html() { return sdk::schema(R"json({"type": "string", "description": "an HTML page"})json"); }

const sdk::ErrorCase kNotAUser{403, "forbidden", "the credential has no user (details.reason not_a_user_credential)"};
const sdk::ErrorCase kRoleAbove{403, "forbidden", "the member's role is above the caller's (details.reason role_above_caller)"};
const sdk::ErrorCase kScopeAbove{403, "forbidden",
                                 "the credential lacks a scope of the role's bundle (details.reason scope_above_caller)"};

}  // namespace

sdk::Operation me_get() {
  return {.id = "me.get",
          .title = "Who am I",
          .description = "The calling credential: its tenant, its user and role, and its effective scopes (the scopes "
                         "written on it, narrowed to what the user's role allows). Any valid credential may call it.",
          .output = sdk::data_of(sdk::schema(R"json({"type": "object",
              "required": ["tenant_id", "user_id", "role", "scopes", "credential", "legacy_mode"],
              "properties": {
                "tenant_id": {"type": "string", "description": "the one tenant this credential acts in"},
                "user_id": {"type": ["string", "null"], "description": "the credential's user; null without one"},
                "role": {"type": ["string", "null"],
                         "description": "the user's role (viewer, editor, admin, owner); a project key's type (client, server); null otherwise"},
                "scopes": {"type": "array", "items": {"type": "string"}, "description": "the effective scopes, sorted"},
                "credential": {"type": "object", "required": ["type", "id"], "properties": {
                  "type": {"type": "string", "description": "api_key, oauth or project_key"},
                  "id": {"type": "string", "description": "the key's id, or the OAuth grant's id"}}},
                "legacy_mode": {"type": "boolean", "description": "true for a legacy-mode key (role defaults apply)"},
                "project_id": {"type": "string", "description": "present only for a project-scoped credential"}}})json")),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation tenants_create() {
  json::value tenant = sdk::schema(R"json({"type": "object", "required": ["tenant", "role", "api_key"], "properties": {
      "tenant": {"type": "object", "required": ["id", "name", "created_at"], "properties": {
        "id": {"type": "string", "description": "a UUID"},
        "name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
      "role": {"type": "string", "const": "owner", "description": "the caller's role in the new tenant"}}})json");
  tenant.as_object()["properties"].as_object()["api_key"] = issued_key();
  return {.id = "tenants.create",
          .title = "Create a tenant",
          .description = "Creates a tenant whose owner is the caller's user, and returns a key for it, shown once. "
                         "The key holds the owner role's scopes that the calling credential holds, never more. "
                         "Each user may create a limited number of tenants (identity.max_tenants_per_user).",
          .body = sdk::schema(R"json({"type": "object", "required": ["name"], "additionalProperties": false,
              "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200,
                                      "description": "the tenant's name"}}})json"),
          .output = sdk::data_of(std::move(tenant)),
          .statuses = {201},
          .errors = {kNotAUser, {403, "TENANT_LIMIT_REACHED", "the user created the most tenants allowed (details.limit)"}}};
}

sdk::Operation users_list() {
  return {.id = "users.list",
          .title = "List the members",
          .description = "The members of the caller's tenant, by when they joined (then by email), in pages.",
          .query = sdk::page_query(),
          .output = sdk::page_of(member()),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation users_update() {
  json::value body = sdk::schema(R"json({"type": "object", "additionalProperties": false, "properties": {}})json");
  body.as_object()["properties"].as_object()["role"] = role();
  return {.id = "users.update",
          .title = "Change a member's role",
          .description = "Sets a member's role; without `role` the member is returned unchanged. The caller may "
                         "neither grant nor act on a role above their own, and a tenant keeps at least one owner. "
                         "The change applies on the member's next request, in every server process.",
          .params = user_id_param(),
          .body = std::move(body),
          .output = sdk::data_of(member()),
          .errors = {kNotAUser, kRoleAbove, kScopeAbove,
                     {404, "NOT_FOUND", "no such member in the caller's tenant"},
                     {409, "LAST_OWNER", "the member is the only owner and the new role is not owner"}},
          .idempotent = true};
}

sdk::Operation users_delete() {
  return {.id = "users.delete",
          .title = "Remove a member",
          .description = "Removes a member from the caller's tenant: their keys and OAuth tokens for it stop at "
                         "once, and stay dead if they are invited again. The user account and its other tenants "
                         "are untouched.",
          .params = user_id_param(),
          .statuses = {204},
          .errors = {kNotAUser, kRoleAbove,
                     {404, "NOT_FOUND", "no such member in the caller's tenant"},
                     {409, "LAST_OWNER", "the member is the tenant's only owner"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation invitations_create() {
  json::value body = sdk::schema(R"json({"type": "object", "required": ["email"], "additionalProperties": false,
      "properties": {"email": {"type": "string", "minLength": 1, "format": "email",
        "description": "the invitee's address: trimmed and lower-cased; at most 254 characters, one @ with text on both sides, no spaces"}}})json");
  json::value r = role();
  r.as_object()["default"] = "viewer";
  r.as_object()["description"] = "the role offered: at most the caller's own, and only if the credential holds every scope of its bundle";
  body.as_object()["properties"].as_object()["role"] = std::move(r);
  return {.id = "invitations.create",
          .title = "Invite someone",
          .description = "Invites an email address into the caller's tenant with a role. The answer holds the "
                         "link to deliver, shown once; the membership begins when the invitee accepts. The answer "
                         "is the same whether or not the address has an account.",
          .body = std::move(body),
          .output = sdk::data_of(invitation(true)),
          .statuses = {201},
          .errors = {{400, "INVALID_INPUT", "email is not a valid address (details.field email)"},
                     kNotAUser, kRoleAbove, kScopeAbove,
                     {409, "ALREADY_MEMBER", "the user is already a member of this tenant"}}};
}

sdk::Operation invitations_list() {
  return {.id = "invitations.list",
          .title = "List the invitations",
          .description = "The tenant's invitations in every status, by id descending, in pages; never their tokens.",
          .query = sdk::page_query(),
          .output = sdk::page_of(invitation(false)),
          .read_only = true,
          .idempotent = true};
}

sdk::Operation invitations_revoke() {
  return {.id = "invitations.revoke",
          .title = "Revoke an invitation",
          .description = "Revokes a pending invitation: its link stops working. The caller may not revoke an "
                         "invitation to a role above their own.",
          .params = sdk::schema(R"json({"type": "object", "properties": {
              "id": {"type": "string", "maxLength": 64, "description": "the invitation's id (inv_...)"}}})json"),
          .statuses = {204},
          .errors = {kNotAUser, kRoleAbove,
                     {404, "NOT_FOUND", "no such invitation in the caller's tenant, or revoked already"},
                     {410, "INVITATION_USED", "already accepted"},
                     {410, "INVITATION_EXPIRED", "past expires_at"}},
          .destructive = true,
          .idempotent = true};
}

sdk::Operation invitations_accept() {
  json::value out = sdk::schema(R"json({"type": "object", "required": ["tenant_id", "user_id", "email", "role", "api_key"],
      "properties": {"tenant_id": {"type": "string"}, "user_id": {"type": "string"},
                     "email": {"type": "string", "format": "email"}}})json");
  out.as_object()["properties"].as_object()["role"] = role();
  out.as_object()["properties"].as_object()["api_key"] = issued_key();
  return {.id = "invitations.accept",
          .title = "Accept an invitation",
          .description = "Called by the invitee with the link's token. A new user chooses their password here "
                         "(8 to 1024 characters); an existing user sends their password or calls with a credential "
                         "of their own. Returns the membership and the invitee's own key, shown once.",
          .body = sdk::schema(R"json({"type": "object", "required": ["token"], "properties": {
              "token": {"type": "string", "minLength": 1, "description": "the invitation's token (amb_inv_...)"},
              "password": {"type": "string",
                           "description": "a new user's chosen password, or an existing user's current one"}}})json"),
          .output = sdk::data_of(std::move(out)),
          .errors = {{400, "INVALID_INPUT", "a new user's password is missing or not 8 to 1024 characters"},
                     {401, "unauthenticated", "the user exists and sent neither a password nor their credential "
                                              "(sign_in_required), or a wrong password (wrong_password)"},
                     {404, "NOT_FOUND", "no such token, a revoked invitation, or its inviter no longer holds the role"},
                     {409, "ALREADY_MEMBER", "the user joined in the meantime"},
                     {410, "INVITATION_USED", "already accepted"},
                     {410, "INVITATION_EXPIRED", "past expires_at"},
                     {429, "too_many_requests", "wait before the next sign-in attempt (Retry-After)"}}};
}

sdk::Operation password_resets_redeem() {
  return {.id = "password_resets.redeem",
          .title = "Set a new password with a reset token",
          .description = "Sets the password of the reset link's user (8 to 1024 characters). A link works once; "
                         "every other outstanding link of the user ends with it. Keys and OAuth grants are kept.",
          .body = sdk::schema(R"json({"type": "object", "required": ["token", "password"], "properties": {
              "token": {"type": "string", "minLength": 1, "description": "the reset token (amb_pwr_...)"},
              "password": {"type": "string", "description": "the new password, 8 to 1024 characters"}}})json"),
          .statuses = {204},
          .errors = {{400, "INVALID_INPUT", "the password is not 8 to 1024 characters"},
                     {404, "NOT_FOUND", "no such reset token"},
                     {410, "RESET_USED", "the link was used before"},
                     {410, "RESET_EXPIRED", "the link expired"},
                     {429, "too_many_requests", "every password slot is busy (Retry-After: 1)"}}};
}

sdk::Operation invitations_accept_page() {
  return {.id = "invitations.accept_page",
          .title = "The invitation page",
          .description = "The page an invitation link opens: who is invited and as what, with one password field "
                         "(choose one, or your current one) whose form posts to POST /invitations/accept. An "
                         "unusable link shows a page saying why, with the status below.",
          .query = token_query("the invitation's token, from the link"),
          .output = html(),
          .errors = {{404, "NOT_FOUND", "page: no such invitation, or it was revoked"},
                     {410, "INVITATION_USED", "page: already accepted"},
                     {410, "INVITATION_EXPIRED", "page: expired"}},
          .read_only = true,
          .idempotent = true,
          .output_media_type = "text/html",
          .handler_validates = true};
}

sdk::Operation invitations_accept_form() {
  return {.id = "invitations.accept_form",
          .title = "Submit the invitation page",
          .description = "The invitation page's form: accepts the invitation as POST /v1/invitations/accept does "
                         "and shows the new key once. A wrong or refused password shows the form again with the "
                         "reason, with the status of the JSON route's error.",
          .body = sdk::schema(R"json({"type": "object", "properties": {
              "token": {"type": "string", "description": "the invitation's token"},
              "password": {"type": "string", "description": "a new user's chosen password, or an existing user's current one"}}})json"),
          .output = html(),
          .errors = {{400, "INVALID_INPUT", "the form again: a new user's password is not 8 to 1024 characters"},
                     {401, "unauthenticated", "the form again: a wrong password"},
                     {404, "NOT_FOUND", "page: no such invitation, or it was revoked"},
                     {410, "INVITATION_USED", "page: already accepted"},
                     {429, "too_many_requests", "the form again: wait before the next attempt (Retry-After)"}},
          .body_media_type = "application/x-www-form-urlencoded",
          .output_media_type = "text/html",
          .handler_validates = true};
}

sdk::Operation password_resets_redeem_page() {
  return {.id = "password_resets.redeem_page",
          .title = "The password reset page",
          .description = "The page a reset link opens: one field for the new password, whose form posts to "
                         "POST /password-reset.",
          .query = token_query("the reset token, from the link"),
          .output = html(),
          .read_only = true,
          .idempotent = true,
          .output_media_type = "text/html",
          .handler_validates = true};
}

sdk::Operation password_resets_redeem_form() {
  return {.id = "password_resets.redeem_form",
          .title = "Submit the password reset page",
          .description = "The reset page's form: sets the new password as POST /v1/password-reset does. A refused "
                         "password shows the form again with the reason; an unusable link shows a page saying why.",
          .body = sdk::schema(R"json({"type": "object", "properties": {
              "token": {"type": "string", "description": "the reset token"},
              "password": {"type": "string", "description": "the new password, 8 to 1024 characters"}}})json"),
          .output = html(),
          .errors = {{400, "INVALID_INPUT", "the form again: the password is not 8 to 1024 characters"},
                     {404, "NOT_FOUND", "page: no such reset token"},
                     {410, "RESET_USED", "page: the link was used before"},
                     {410, "RESET_EXPIRED", "page: the link expired"},
                     {429, "too_many_requests", "the form again: every password slot is busy (Retry-After)"}},
          .body_media_type = "application/x-www-form-urlencoded",
          .output_media_type = "text/html",
          .handler_validates = true};
}

}  // namespace ambit::kernel::identity_ops
