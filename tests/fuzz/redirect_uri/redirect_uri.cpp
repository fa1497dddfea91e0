// Redirect URIs (plugins/auth-oauth/redirect_uri.cpp) and request targets as
// the dispatcher parses them (Boost.URL origin-form: path, segments, params).
//
// Input: "<registered>\n<requested>" (without a newline, both are the input).
//
// Properties checked, from redirect_uri.hpp:
//   - an allowed URI parses as an absolute URI, without fragment or user info;
//   - a URI matches itself exactly when it is allowed;
//   - a requested URI that matches an allowed registered one is allowed too
//     (a match never leads to a URI that registration would refuse).
#include <boost/url.hpp>

#include "fuzz_support.hpp"
#include "redirect_uri.hpp"

using ambit::fuzz::violated;

namespace {

void check_allowed(const std::string& uri) {
  if (!oauth::allowed_redirect_uri(uri)) return;
  auto u = boost::urls::parse_absolute_uri(uri);
  if (!u) violated("an allowed redirect URI is not an absolute URI", uri);
  if (u->has_fragment() || u->has_userinfo() || !u->has_authority())
    violated("an allowed redirect URI has a fragment, user info or no authority", uri);
  if (u->scheme() != "https" && u->scheme() != "http") violated("an allowed redirect URI is not http(s)", uri);
}

/// What the dispatcher does with a request target before routing.
void parse_target(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return;
  try {
    std::string path = url->path();
    std::size_t n = 0;
    for (auto seg : url->segments()) n += std::string(seg).size();
    for (auto param : url->params()) n += param.key.size() + param.value.size();
    (void)path;
    (void)n;
  } catch (const std::exception&) {
    // The dispatcher answers 400 here.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = ambit::fuzz::as_view(data, size);
  auto [first, second] = ambit::fuzz::split_once(in, '\n');
  if (second.empty() && first.size() == in.size()) second = first;
  const std::string registered(first), requested(second);

  check_allowed(registered);
  check_allowed(requested);
  if (oauth::redirect_matches(registered, registered) != oauth::allowed_redirect_uri(registered))
    violated("a redirect URI matches itself but is not allowed, or the reverse", registered);
  if (oauth::redirect_matches(registered, requested) && oauth::allowed_redirect_uri(registered) &&
      !oauth::allowed_redirect_uri(requested))
    violated("a match leads to a URI registration refuses", requested);

  parse_target(first);
  parse_target(second);
  return 0;
}
