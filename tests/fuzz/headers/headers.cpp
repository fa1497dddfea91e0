// Request header values as plugins and the kernel read them:
//   - If-None-Match and If-Match: remote-config's etag_listed, weak and
//     strong (plugins/remote-config/entity_tags.hpp);
//   - Accept and Content-Type: attestation-clients' require_json_accept and
//     require_json_content_type (plugins/attestation-clients/media.cpp);
//   - Authorization and X-API-Key: the kernel Dispatcher's bearer parsing
//     (sdk::presented_credential), through Dispatcher::dispatch with an
//     authenticator that records the credential it was handed.
//
// Input: one header value (used for each header in turn).
//
// Properties checked: "*" and the exact quoted ETag always match; the
// credential an authenticator sees is a non-empty suffix of the header value
// without leading spaces; the answer is 200 or 401, never anything else.
#include "attestation-clients/media.hpp"
#include "fuzz_support.hpp"
#include "http/dispatcher.hpp"
#include "remote-config/entity_tags.hpp"

namespace sdk = ambit::sdk;
using ambit::fuzz::violated;

namespace {

constexpr std::string_view kEtag = "\"0123456789abcdef0123456789abcdef\"";

class RecordingAuthenticator final : public sdk::Authenticator {
 public:
  std::string seen;
  bool called = false;
  bool claims(std::string_view) const override { return true; }
  sdk::AuthResult authenticate(std::string_view token) override { return *authenticate_cached(token); }
  std::optional<sdk::AuthResult> authenticate_cached(std::string_view token) override {
    called = true;
    seen.assign(token);
    if (token != "ak_live_good") return sdk::AuthResult::rejected("unknown");
    sdk::Principal p;
    p.tenant_id = "t1";
    p.audited = false;
    return sdk::AuthResult::ok(std::move(p));
  }
};

struct Fixture {
  ambit::fuzz::NullLogger log;
  ambit::kernel::Router router;
  std::shared_ptr<RecordingAuthenticator> auth = std::make_shared<RecordingAuthenticator>();
  std::vector<std::shared_ptr<sdk::Authenticator>> authenticators{auth};
  std::string public_url = "http://127.0.0.1";
  std::unique_ptr<ambit::kernel::Dispatcher> dispatcher;
  Fixture() {
    sdk::RouteSpec r;
    r.method = "GET";
    r.path = "/v1/me";
    r.may_block = false;
    r.handler = [](const sdk::Request&) { return sdk::Response::data(boost::json::object{}); };
    router.add(std::move(r), "fuzz");
    dispatcher = std::make_unique<ambit::kernel::Dispatcher>(router, authenticators, log, 1, false, nullptr, public_url);
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture();  // never destroyed: the worker pool outlives the run
  return *f;
}

void check_conditional(std::string_view value) {
  for (bool weak : {true, false}) {
    remote_config::etag_listed(value, kEtag, weak);  // anything may or may not match; it must not crash
    std::string with_star = std::string(value) + ", *";
    if (!remote_config::etag_listed(with_star, kEtag, weak))
      violated(weak ? "If-None-Match with * does not match" : "If-Match with * does not match", with_star);
    std::string with_tag = std::string(value) + ", " + (weak ? "W/" : "") + std::string(kEtag);
    if (!remote_config::etag_listed(with_tag, kEtag, weak))
      violated(weak ? "If-None-Match with the ETag does not match" : "If-Match with the ETag does not match", with_tag);
  }
}

void check_media(std::string_view value) {
  ambit::fuzz::HeaderList headers;
  headers.fields = {{"Accept", std::string(value)}, {"Content-Type", std::string(value)}};
  sdk::Request req;
  req.headers = &headers;
  try {
    attestation::require_json_accept(req);
  } catch (const sdk::ApiError& e) {
    if (e.status() != 415) violated("Accept: not a 415", e.code());
  }
  try {
    attestation::require_json_content_type(req);
  } catch (const sdk::ApiError& e) {
    if (e.status() != 415) violated("Content-Type: not a 415", e.code());
  }
}

void check_authorization(std::string_view value, const char* header) {
  Fixture& f = fixture();
  f.auth->called = false;
  ambit::fuzz::HeaderList headers;
  headers.fields = {{header, std::string(value)}};
  ambit::kernel::InboundRequest in;
  in.method = "GET";
  in.target = "/v1/me";
  in.headers = &headers;
  int status = 0;
  f.dispatcher->dispatch(std::move(in), [&status](sdk::Response r) { status = r.status; });
  if (status != 200 && status != 401) violated("an unexpected status for a credential", std::to_string(status));
  if (!f.auth->called) return;
  const std::string& token = f.auth->seen;
  if (token.empty()) violated("an authenticator was handed an empty credential", value);
  if (!value.ends_with(token)) violated("the credential is not the end of the header value", token);
  if (std::string_view(header) == "Authorization" && token.front() == ' ')
    violated("the credential starts with a space", token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value = ambit::fuzz::as_view(data, size);
  check_conditional(value);
  check_media(value);
  check_authorization(value, "Authorization");
  check_authorization(value, "X-API-Key");
  return 0;
}
