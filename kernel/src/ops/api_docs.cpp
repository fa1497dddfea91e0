#include "ops/api_docs.hpp"

#include "operations/declared_operation.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "ambit/sdk/html.hpp"
#include "util/paths.hpp"

namespace ambit::kernel {

// Swagger UI needs no inline script or style and no eval; data: images are its CSS icons.
const char* const kApiDocsCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

namespace {

/// One file the page loads, held in memory.
struct Asset {
  std::string content_type;
  std::string body;
  std::string etag;
};

/// The renderer's files, by the name the page asks for: the only names served.
struct RendererFile {
  const char* name;
  const char* content_type;
};
constexpr RendererFile kRendererFiles[] = {
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
};

/// Starts the renderer; a file, not an inline script, so the CSP needs no 'unsafe-inline' for scripts.
/// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
constexpr const char* kInitScript = R"js("use strict";
window.addEventListener("load", function () {
  document.body.style.margin = "0";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0
  });
});
)js";

constexpr const char* kPage =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>ambit API reference</title>"
    "<link rel=\"icon\" type=\"image/png\" href=\"/docs/favicon-32x32.png\">"
    "<link rel=\"stylesheet\" href=\"/docs/swagger-ui.css\">"
    "</head><body><div id=\"swagger-ui\"></div>"
    "<noscript><p>The API reference needs JavaScript. The API is described by its OpenAPI document: "
    "<a href=\"/openapi.json\">/openapi.json</a>.</p></noscript>"
    "<script src=\"/docs/swagger-ui-bundle.js\"></script>"
    "<script src=\"/docs/init.js\"></script>"
    "</body></html>";

std::string etag_of(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool read_file(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return !out.empty();
}

void security_headers(sdk::Response& r) {
  r.with_header("X-Content-Type-Options", "nosniff");
  r.with_header("Referrer-Policy", "no-referrer");
}

sdk::Response page_response() {
  sdk::Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = kPage;
  r.with_header("Content-Security-Policy", kApiDocsCsp);
  r.with_header("X-Frame-Options", "DENY");
  r.with_header("Cache-Control", "no-cache");
  security_headers(r);
  return r;
}

sdk::Response not_installed_response() {
  return sdk::html_page(200, "ambit API reference",
                        "<h1>API reference</h1><p>The reference renderer is not installed on this server, so there "
                        "is no rendered reference here. The API is described by its OpenAPI document: "
                        "<a href=\"/openapi.json\">/openapi.json</a>.</p>"
                        "<p class=\"muted\">Operators: the renderer's files come with the build "
                        "(<code>server.api_docs_dir</code> in the operator guide).</p>");
}

sdk::Response asset_response(const Asset& a, const sdk::Request& req) {
  sdk::Response r;
  if (auto match = req.header("If-None-Match"); match && *match == a.etag) {
    r = sdk::Response::empty(304);
  } else {
    r.content_type = a.content_type;
    r.body = a.body;
  }
  r.with_header("ETag", a.etag);
  // Not versioned by name: revalidated (304) after a day, so an upgrade shows within one.
  r.with_header("Cache-Control", "public, max-age=86400");
  security_headers(r);
  return r;
}

}  // namespace

std::filesystem::path api_docs_dir(const std::filesystem::path& configured) {
  if (!configured.empty()) return configured;
  return (executable_dir() / ".." / "share" / "ambit" / "api-docs").lexically_normal();
}

void register_api_docs_routes(Router& router, const std::filesystem::path& configured_dir, sdk::Logger& log) {
  auto assets = std::make_shared<std::map<std::string, Asset, std::less<>>>();
  std::filesystem::path dir = api_docs_dir(configured_dir);
  std::string missing;
  for (const auto& f : kRendererFiles) {
    Asset a{f.content_type, {}, {}};
    if (!read_file(dir / f.name, a.body)) {
      missing += (missing.empty() ? "" : ", ") + std::string(f.name);
      continue;
    }
    a.etag = etag_of(a.body);
    (*assets)[f.name] = std::move(a);
  }
  bool installed = missing.empty();
  if (installed) {
    Asset init{"text/javascript; charset=utf-8", kInitScript, {}};
    init.etag = etag_of(init.body);
    (*assets)["init.js"] = std::move(init);
    log.info("api reference at /docs", {{"api_docs_dir", dir.string()}});
  } else {
    assets->clear();
    boost::json::object fields{{"api_docs_dir", dir.string()}, {"missing", missing}};
    // Only a directory the operator named is worth a warning; the default one is optional.
    if (!configured_dir.empty())
      log.warn("server.api_docs_dir lacks the reference renderer's files: /docs serves a plain page", fields);
    else
      log.info("api reference renderer not installed: /docs serves a plain page", fields);
  }

  auto add = [&](std::string path, sdk::Handler h) {
    sdk::RouteSpec r;
    r.method = "GET";
    r.path = std::move(path);
    r.auth = sdk::AuthMode::none;
    r.may_block = false;  // everything is in memory
    r.tags = {"ops"};
    r.handler = std::move(h);
    return r;
  };
  sdk::Handler page = [installed](const sdk::Request&) { return installed ? page_response() : not_installed_response(); };
  add_operation(router, add("/docs", page),
                {.id = "docs.get",
                 .title = "Read the API reference",
                 .description = "A page drawn from /openapi.json by a renderer served from this server.",
                 .output = sdk::schema(R"json({"type": "string"})json"),
                 .read_only = true,
                 .idempotent = true,
                 .output_media_type = "text/html"},
                "kernel");
  auto files = add("/docs/:file", [assets](const sdk::Request& req) {
    const std::string& name = req.param("file");
    auto it = assets->find(name);
    if (it == assets->end()) throw sdk::ApiError(404, "NOT_FOUND", "no such file");
    return asset_response(it->second, req);
  });
  add_operation(router, std::move(files),
                {.id = "docs.get_file",
                 .title = "Get a file of the API reference page",
                 .description = "The renderer's script, style sheet and icons (a fixed set of names).",
                 .params = sdk::schema(R"json({"type": "object", "properties": {
                     "file": {"type": "string", "maxLength": 64, "description": "a file name"}}})json"),
                 .output = sdk::schema(R"json({"type": "string"})json"),
                 .errors = {{404, "NOT_FOUND", "no such file"}},
                 .read_only = true,
                 .idempotent = true,
                 .output_media_type = "application/octet-stream"},
                "kernel");
}

}  // namespace ambit::kernel
