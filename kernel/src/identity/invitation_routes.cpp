// Invitations and password resets, as a JSON API and as the pages the links
// open (a person with a browser and nothing else):
//   POST   /v1/invitations            [members:manage] invite; returns the link once
//   GET    /v1/invitations            [members:read]   the tenant's invitations
//   DELETE /v1/invitations/:id        [members:manage] revoke a pending one
//   POST   /v1/invitations/accept     the invitee: {token, password} or their own credential
//   POST   /v1/password-reset         the user: {token, password}
//   GET|POST /invitations/accept      the acceptance page
//   GET|POST /password-reset          the reset page
#include <boost/url.hpp>

#include "ambit/sdk/html.hpp"
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/time.hpp"
#include "identity/identity_operations.hpp"
#include "identity/identity_routes.hpp"
#include "identity/invitations.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

json::object invitation_json(const Invitation& i, std::int64_t now) {
  return {{"id", i.id},
          {"tenant_id", i.tenant_id},
          {"email", i.email},
          {"role", i.role},
          {"status", i.status(now)},
          {"invited_by", i.invited_by},
          {"created_at", sdk::format_time(i.created_at)},
          {"expires_at", sdk::format_time(i.expires_at)},
          {"accepted_at", i.accepted_at ? json::value(sdk::format_time(*i.accepted_at)) : json::value(nullptr)},
          {"revoked_at", i.revoked_at ? json::value(sdk::format_time(*i.revoked_at)) : json::value(nullptr)}};
}

/// A string field of a body the operation's schema has checked ("" when absent).
std::string text(const json::object& body, const char* field) {
  auto* v = body.if_contains(field);
  return v ? std::string(v->as_string()) : std::string();
}

/// A urlencoded form's field ("" when absent).
std::string form_field(const std::string& body, std::string_view name) {
  auto params = boost::urls::parse_query(body);
  if (!params) return {};
  boost::urls::encoding_opts form;
  form.space_as_plus = true;  // application/x-www-form-urlencoded
  for (auto p : *params)
    if (p.key.decode(form) == name) return p.value.decode(form);
  return {};
}

sdk::Response with_retry_after(sdk::Response page, const sdk::ApiError& e) {
  if (auto* after = e.details().if_contains("retry_after")) page.with_header("Retry-After", json::serialize(*after));
  return page;
}

std::string error_box(const std::string& message) {
  return message.empty() ? std::string() : "<p class=\"error\">" + sdk::html_escape(message) + "</p>";
}

sdk::Response acceptance_form(Invitations& invitations, const std::string& token, const std::string& error,
                              int status) {
  Invitation inv = invitations.pending(token);
  bool existing = invitations.user_exists(inv.email);
  std::string body = "<h1>Join a workspace</h1><p>You are invited as <b>" + sdk::html_escape(inv.role) +
                     "</b> with the address <b>" + sdk::html_escape(inv.email) + "</b>.</p>" + error_box(error) +
                     "<form method=\"post\" action=\"/invitations/accept\"><input type=\"hidden\" name=\"token\" value=\"" +
                     sdk::html_escape(token) + "\">";
  body += existing ? "<label for=\"password\">Your password</label>"
                     "<input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
                   : "<label for=\"password\">Choose a password (8 characters or more)</label>"
                     "<input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>";
  body += std::string("<button class=\"primary\" type=\"submit\">") + (existing ? "Sign in and join" : "Create account and join") +
          "</button></form>";
  return sdk::html_page(status, "Join a workspace", body);
}

sdk::Response message_page(int status, const std::string& title, const std::string& message) {
  return sdk::html_page(status, title, "<h1>" + sdk::html_escape(title) + "</h1><p>" + sdk::html_escape(message) + "</p>");
}

sdk::Response reset_form(const std::string& token, const std::string& error, int status) {
  return sdk::html_page(status, "Choose a new password",
                        "<h1>Choose a new password</h1>" + error_box(error) +
                            "<form method=\"post\" action=\"/password-reset\"><input type=\"hidden\" name=\"token\" value=\"" +
                            sdk::html_escape(token) +
                            "\"><label for=\"password\">New password (8 characters or more)</label>"
                            "<input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"new-password\" "
                            "minlength=\"8\" required><button class=\"primary\" type=\"submit\">Set password</button></form>");
}

}  // namespace

void register_invitation_routes(Router& router, Invitations& invitations, IssuerLookup issuer, const sdk::Clock& clock) {
  using sdk::AuthMode;
  add_identity_route(router, "POST", "/v1/invitations", "members:manage", AuthMode::required, true,
      identity_ops::invitations_create(), [&invitations, &clock](const sdk::Request& req) {
        auto body = req.json_object();
        std::string role = body.contains("role") ? text(body, "role") : "viewer";
        auto created = invitations.invite(user_caller(req), text(body, "email"), role);
        auto out = invitation_json(created.invitation, clock.now_ms());
        out["token"] = created.token;
        out["url"] = created.url;
        return sdk::Response::data(std::move(out), 201);
      });

  add_identity_route(router, "GET", "/v1/invitations", "members:read", AuthMode::required, true,
      identity_ops::invitations_list(), [&invitations, &clock](const sdk::Request& req) {
        auto page = sdk::PageRequest<sdk::IdKey>::from(req);
        auto rows = invitations.list(req.caller().tenant_id, page.after ? page.after->id : "", page.fetch());
        auto found = sdk::finish_page(page, std::move(rows), [](const Invitation& i) { return sdk::IdKey{i.id}; });
        json::array out;
        for (auto& i : found.items) out.push_back(invitation_json(i, clock.now_ms()));
        return sdk::paged_data(std::move(out), found.next_cursor);
      });

  add_identity_route(router, "DELETE", "/v1/invitations/:id", "members:manage", AuthMode::required, true,
      identity_ops::invitations_revoke(),
      [&invitations](const sdk::Request& req) {
        invitations.revoke(user_caller(req), req.param("id"));
        return sdk::Response::empty(204);
      });

  add_identity_route(router, "POST", "/v1/invitations/accept", "", AuthMode::optional, true,
      identity_ops::invitations_accept(), [&invitations, issuer](const sdk::Request& req) {
        auto body = req.json_object();
        std::optional<std::string> password;
        if (body.contains("password")) password = text(body, "password");
        Acceptance proof{req.principal, std::move(password), req.remote_address};
        auto accepted = invitations.accept(text(body, "token"), proof, issuer());
        const auto& m = accepted.member;
        return sdk::Response::data(json::object{{"tenant_id", m.tenant_id},
                                                {"user_id", m.user_id},
                                                {"email", m.email},
                                                {"role", m.role},
                                                {"api_key", accepted.api_key}});
      });

  add_identity_route(router, "POST", "/v1/password-reset", "", AuthMode::none, true,
      identity_ops::password_resets_redeem(), [&invitations](const sdk::Request& req) {
        auto body = req.json_object();
        invitations.redeem_password_reset(text(body, "token"), text(body, "password"));
        return sdk::Response::empty(204);
      });

  // --- the pages the links open ----------------------------------------------
  // Pages: the handlers read their forms and answer with pages, never the JSON error envelope.
  add_identity_route(router, "GET", "/invitations/accept", "", AuthMode::none, true,
      identity_ops::invitations_accept_page(),
      [&invitations](const sdk::Request& req) {
        try {
          return acceptance_form(invitations, req.query("token").value_or(""), "", 200);
        } catch (const sdk::ApiError& e) {
          return message_page(e.status(), "Invitation unavailable", e.message());
        }
      });

  add_identity_route(router, "POST", "/invitations/accept", "", AuthMode::none, true,
      identity_ops::invitations_accept_form(),
      [&invitations, issuer](const sdk::Request& req) {
        std::string token = form_field(req.body, "token");
        Acceptance proof{nullptr, form_field(req.body, "password"), req.remote_address};
        try {
          auto accepted = invitations.accept(token, proof, issuer());
          std::string body = "<h1>Welcome</h1><p>You joined the workspace as <b>" +
                             sdk::html_escape(accepted.member.role) + "</b>.</p>";
          if (accepted.api_key.is_object())
            body += "<p>Your API key, shown only this once: store it now, you will not see it again.</p><p><code id=\"api-key\">" +
                    sdk::html_escape(accepted.api_key.as_object().at("key").as_string()) + "</code></p>";
          return sdk::html_page(200, "Welcome", body);
        } catch (const sdk::ApiError& e) {
          if (e.status() == 404 || e.status() == 410) return message_page(e.status(), "Invitation unavailable", e.message());
          try {
            return with_retry_after(acceptance_form(invitations, token, e.message(), e.status()), e);
          } catch (const sdk::ApiError& gone) {
            return message_page(gone.status(), "Invitation unavailable", gone.message());
          }
        }
      });

  add_identity_route(router, "GET", "/password-reset", "", AuthMode::none, true,
      identity_ops::password_resets_redeem_page(), [](const sdk::Request& req) {
    return reset_form(req.query("token").value_or(""), "", 200);
  });

  add_identity_route(router, "POST", "/password-reset", "", AuthMode::none, true,
      identity_ops::password_resets_redeem_form(),
      [&invitations](const sdk::Request& req) {
        std::string token = form_field(req.body, "token");
        try {
          invitations.redeem_password_reset(token, form_field(req.body, "password"));
          return message_page(200, "Password changed", "Your new password is set. You can sign in with it now.");
        } catch (const sdk::ApiError& e) {
          if (e.status() == 400 || e.status() == 429) return with_retry_after(reset_form(token, e.message(), e.status()), e);
          return message_page(e.status(), "Reset link unavailable", e.message());
        }
      });
}

}  // namespace ambit::kernel
