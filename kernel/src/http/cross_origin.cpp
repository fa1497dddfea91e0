#include "http/cross_origin.hpp"

namespace ambit::kernel {

void add_cross_origin_headers(sdk::StringPairs& headers) {
  headers.emplace_back("Access-Control-Allow-Origin", "*");
  headers.emplace_back("Access-Control-Expose-Headers", "ETag, Retry-After, X-Request-Id");
}

sdk::Response cross_origin_preflight(std::string_view allow) {
  sdk::Response r = sdk::Response::empty(204);
  add_cross_origin_headers(r.headers);
  r.headers.emplace_back("Access-Control-Allow-Methods", std::string(allow));
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         "Authorization, X-API-Key, Content-Type, If-None-Match, If-Match, Last-Event-ID, "
                         "Cache-Control, X-Request-Id");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace ambit::kernel
