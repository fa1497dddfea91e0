#pragma once
// Small server-rendered pages (sign-in, invitations, password resets): HTML
// escaping and one page shell with the headers every such page needs — no
// scripts, no external assets, no framing, no referrer, no caching. (SDK 1.3)

#include <string>
#include <string_view>

#include "ambit/sdk/http.hpp"

namespace ambit::sdk {
inline namespace v1 {

inline std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

inline constexpr const char* kPageStyle =
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#1d2330}"
    "main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:8px;padding:2rem;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12)}"
    "h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .3rem;font-weight:600}"
    "input[type=email],input[type=password],select{width:100%;padding:.5rem;box-sizing:border-box;"
    "border:1px solid #b8bfcc;border-radius:4px;font-size:1rem}"
    "button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:0;cursor:pointer}"
    ".approve,.primary{background:#2456d3;color:#fff}.deny{background:#e4e7ec;color:#1d2330;margin-left:.5rem}"
    ".error{background:#fde8e8;color:#9b1c1c;padding:.6rem;border-radius:4px}"
    "code{word-break:break-all;background:#eef1f6;padding:.2rem .3rem;border-radius:3px}"
    ".muted{color:#5b6475;font-size:.9rem}ul{padding-left:1.2rem}";

/// A complete page around `body_html` (already escaped). `form_action` is the
/// CSP form-action source list ("'self'" unless a form posts elsewhere).
inline Response html_page(int status, std::string_view title, std::string_view body_html,
                          std::string_view form_action = "'self'") {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
           html_escape(title) + "</title><style>" + kPageStyle + "</style></head><body><main>" + std::string(body_html) +
           "</main></body></html>";
  r.with_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action " +
                                               std::string(form_action) + "; frame-ancestors 'none'; base-uri 'none'");
  r.with_header("X-Frame-Options", "DENY");
  r.with_header("X-Content-Type-Options", "nosniff");
  r.with_header("Referrer-Policy", "no-referrer");
  r.with_header("Cache-Control", "no-store");
  return r;
}

}  // namespace v1
}  // namespace ambit::sdk
