#pragma once
// The seed's header rules: a body that is not application/json, or an Accept
// header that excludes application/json, answers 415.
#include "ambit/sdk/http.hpp"

namespace attestation {

/// 415 unless Accept is absent or admits application/json: the most specific
/// of its ranges that matches (application/json, application/*, */*) has q > 0.
void require_json_accept(const ambit::sdk::Request& req);
/// 415 unless Content-Type is application/json (parameters such as charset allowed).
void require_json_content_type(const ambit::sdk::Request& req);

}  // namespace attestation
