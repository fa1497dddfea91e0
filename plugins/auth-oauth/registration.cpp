#include "registration.hpp"

#include <algorithm>

#include "protocol.hpp"

namespace json = boost::json;

namespace oauth {
namespace {

[[noreturn]] void metadata_error(const std::string& description) {
  throw RegistrationError("invalid_client_metadata", description);
}

std::vector<std::string> string_list(const json::object& body, const char* field, std::vector<std::string> fallback) {
  auto* v = body.if_contains(field);
  if (!v || v->is_null()) return fallback;
  if (!v->is_array()) metadata_error(std::string(field) + " must be an array of strings");
  std::vector<std::string> out;
  for (auto& e : v->as_array()) {
    if (!e.is_string()) metadata_error(std::string(field) + " must be an array of strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

}  // namespace

ClientRecord parse_registration(const json::value& value, ambit::sdk::Identity& identity) {
  if (!value.is_object()) metadata_error("the body must be a JSON object");
  const auto& body = value.as_object();
  ClientRecord c;
  auto* name = body.if_contains("client_name");
  if (name && !name->is_null()) {
    if (!name->is_string() || name->as_string().empty() || name->as_string().size() > 200)
      metadata_error("client_name must be a string of 1 to 200 characters");
    c.name = std::string(name->as_string());
  } else {
    c.name = "Unnamed application";
  }
  c.redirect_uris = string_list(body, "redirect_uris", {});
  if (c.redirect_uris.empty() || c.redirect_uris.size() > 20)
    throw RegistrationError("invalid_redirect_uri", "redirect_uris must list 1 to 20 URIs");
  for (auto& uri : c.redirect_uris)
    if (!allowed_redirect_uri(uri))
      throw RegistrationError("invalid_redirect_uri",
                              uri + ": a redirect URI must be https, or http on exactly localhost, 127.0.0.1 or [::1], "
                                    "without user info or a fragment");
  auto* method = body.if_contains("token_endpoint_auth_method");
  // The seed's own flow (desktop apps, MCP clients) exchanges codes with
  // client_id and code_verifier only: without a method, a public client.
  c.auth_method = method && method->is_string() ? std::string(method->as_string()) : "none";
  if (method && !method->is_null() && !method->is_string()) metadata_error("token_endpoint_auth_method must be a string");
  if (c.auth_method != "none" && c.auth_method != "client_secret_post" && c.auth_method != "client_secret_basic")
    metadata_error("token_endpoint_auth_method must be none, client_secret_post or client_secret_basic");
  c.grant_types = string_list(body, "grant_types", {"authorization_code", "refresh_token"});
  for (auto& g : c.grant_types)
    if (g != "authorization_code" && g != "refresh_token")
      metadata_error("grant_types may hold authorization_code and refresh_token only (" + g + ")");
  if (std::find(c.grant_types.begin(), c.grant_types.end(), "authorization_code") == c.grant_types.end())
    metadata_error("grant_types must include authorization_code");
  for (auto& r : string_list(body, "response_types", {"code"}))
    if (r != "code") metadata_error("response_types may hold code only");
  if (auto* scope = body.if_contains("scope"); scope && !scope->is_null()) {
    if (!scope->is_string()) metadata_error("scope must be a space-separated string");
    auto scopes = split_scope(scope->as_string());
    for (auto& s : scopes)
      if (!identity.scope_exists(s)) metadata_error("scope: unknown scope " + s);
    c.scope = join_scope(scopes);
  }
  return c;
}

json::object client_metadata_json(const ClientRecord& c) {
  json::array uris, grants;
  for (auto& u : c.redirect_uris) uris.emplace_back(u);
  for (auto& g : c.grant_types) grants.emplace_back(g);
  json::object o{{"client_id", c.id},
                 {"client_id_issued_at", c.created_at / 1000},
                 {"client_name", c.name},
                 {"redirect_uris", std::move(uris)},
                 {"token_endpoint_auth_method", c.auth_method},
                 {"grant_types", std::move(grants)},
                 {"response_types", json::array{"code"}}};
  if (!c.scope.empty()) o["scope"] = c.scope;
  return o;
}

}  // namespace oauth
