#include "pages.hpp"

#include <algorithm>

#include "ambit/sdk/html.hpp"

namespace sdk = ambit::sdk;

namespace oauth {
namespace {

std::string escape(const std::string& s) { return sdk::html_escape(s); }

std::string hidden_inputs(const Fields& hidden) {
  std::string out;
  for (auto& [k, v] : hidden) out += "<input type=\"hidden\" name=\"" + escape(k) + "\" value=\"" + escape(v) + "\">";
  return out;
}

std::string scope_list(const std::vector<std::string>& scopes) {
  std::string out = "<ul id=\"scopes\">";
  for (auto& s : scopes) out += "<li>" + escape(scope_in_words(s)) + " <span class=\"muted\">(" + escape(s) + ")</span></li>";
  return out + "</ul>";
}

sdk::Response page(int status, const std::string& title, const std::string& body, const std::string& form_origin) {
  std::string form_action = "'self'";
  if (!form_origin.empty()) form_action += " " + form_origin;  // approval redirects there after the POST
  return sdk::html_page(status, title, body, form_action);
}

}  // namespace

std::string scope_in_words(const std::string& scope) {
  auto colon = scope.find(':');
  std::string resource = scope.substr(0, colon);
  std::replace(resource.begin(), resource.end(), '_', ' ');
  std::string action = colon == std::string::npos ? "" : scope.substr(colon + 1);
  if (action == "read") return "See " + resource;
  if (action == "write") return "Create, change and delete " + resource;
  if (action == "manage") return "Manage " + resource;
  if (action == "verify") return "Verify " + resource;
  return "Use " + resource + (action.empty() ? "" : " (" + action + ")");
}

sdk::Response login_page(const PageClient& client, const std::vector<std::string>& scopes, const Fields& hidden,
                         const std::string& error, int status) {
  std::string body = "<h1>Sign in to continue to " + escape(client.name) + "</h1>";
  if (!error.empty()) body += "<p class=\"error\" role=\"alert\">" + escape(error) + "</p>";
  body += "<p class=\"muted\">" + escape(client.name) + " (" + escape(client.redirect_host) +
          ") asks for access to your workspace:</p>" + scope_list(scopes);
  body += "<form method=\"post\" action=\"/oauth/authorize\">" + hidden_inputs(hidden) +
          "<input type=\"hidden\" name=\"step\" value=\"login\">"
          "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required>"
          "<label for=\"password\">Password</label>"
          "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
          "<button class=\"primary\" type=\"submit\">Sign in</button></form>";
  return page(status, "Sign in", body, client.redirect_origin);
}

sdk::Response consent_page(const PageClient& client, const std::vector<std::string>& scopes, const Fields& hidden,
                           const std::string& email, const std::vector<std::pair<std::string, std::string>>& workspaces) {
  std::string body = "<h1>Allow " + escape(client.name) + " to access your workspace?</h1>";
  body += "<p class=\"muted\">Signed in as " + escape(email) + ". After you decide, you go back to <strong>" +
          escape(client.redirect_host) + "</strong>.</p>";
  body += "<form method=\"post\" action=\"/oauth/authorize\">" + hidden_inputs(hidden) +
          "<input type=\"hidden\" name=\"step\" value=\"consent\">";
  if (!client.resource.empty())
    body += "<p>" + escape(client.name) + " wants access to <strong id=\"resource\">" + escape(client.resource) +
            "</strong>.</p>";
  if (workspaces.size() == 1) {
    body += "<p>Workspace: <strong>" + escape(workspaces[0].second) + "</strong></p>"
            "<input type=\"hidden\" name=\"tenant_id\" value=\"" + escape(workspaces[0].first) + "\">";
  } else {
    body += "<label for=\"tenant_id\">Workspace</label><select id=\"tenant_id\" name=\"tenant_id\">";
    for (auto& [id, name] : workspaces) body += "<option value=\"" + escape(id) + "\">" + escape(name) + "</option>";
    body += "</select>";
  }
  body += "<p>" + escape(client.name) + " will be able to:</p>" + scope_list(scopes) +
          "<p class=\"muted\">Only what your role in the workspace allows is granted.</p>"
          "<button class=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
          "<button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>";
  return page(200, "Authorize " + client.name, body, client.redirect_origin);
}

sdk::Response error_page(int status, const std::string& title, const std::string& message) {
  return page(status, title, "<h1>" + escape(title) + "</h1><p class=\"error\" role=\"alert\">" + escape(message) + "</p>", "");
}

}  // namespace oauth
