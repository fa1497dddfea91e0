#pragma once
// OAuth wire helpers: form bodies (application/x-www-form-urlencoded), RFC
// 6749 error bodies, redirects with parameters, and scope strings.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ambit/sdk/http.hpp"

namespace oauth {

/// A request's parameters, by name.
struct Form : std::map<std::string, std::string> {
  /// How many times `resource` appeared. RFC 8707 lets a client name
  /// several resources; ambit takes one, and answers invalid_target itself
  /// when a parser that lets `resource` repeat (below) found more.
  int resources = 0;
};

/// The decoded parameters; nullopt when malformed or a parameter repeats
/// (RFC 6749 3.1: parameters must not be included more than once), except
/// `resource` when `resource_may_repeat` (its first value is kept and
/// Form::resources counts them).
std::optional<Form> parse_form(std::string_view body, bool resource_may_repeat = false);
/// The same rules for a request's query string parameters.
std::optional<Form> query_form(const ambit::sdk::Request& req, bool resource_may_repeat = false);
std::string form_value(const Form& form, const std::string& name);

/// {"error": code, "error_description": description} with Cache-Control: no-store.
ambit::sdk::Response oauth_error(int status, const std::string& code, const std::string& description);
/// JSON with Cache-Control: no-store and Pragma: no-cache (token responses).
ambit::sdk::Response no_store_json(const boost::json::value& body, int status = 200);
/// 302 to `uri` with `params` appended to its query.
ambit::sdk::Response redirect(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params);

std::vector<std::string> split_scope(std::string_view scope);
std::string join_scope(const std::vector<std::string>& scopes);

}  // namespace oauth
