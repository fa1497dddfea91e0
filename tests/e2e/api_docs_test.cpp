// GET /docs: the API reference drawn from /openapi.json by the vendored
// renderer (swagger-ui-dist, copied into <build>/share/ambit/api-docs by the
// build), in a real browser (headless Chromium): it draws the operations and
// nothing it loads comes from another host. A screenshot is kept in
// $AMBIT_TEST_ARTIFACTS/api-docs.png. Also: the page's headers, the fixed
// set of file names under /docs/, and the plain page without the renderer.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "e2e_util.hpp"
#include "headless_browser.hpp"

using namespace ambit::test;
namespace json = boost::json;

namespace {

/// Where the build put the renderer, which the server finds by default.
std::filesystem::path vendored_renderer() {
  return std::filesystem::path(ambit_binary()).parent_path() / ".." / "share" / "ambit" / "api-docs";
}

bool renderer_built() { return std::filesystem::exists(vendored_renderer() / "swagger-ui-bundle.js"); }

/// Skips (or fails under AMBIT_TEST_REQUIRE_BROWSER, as scripts/test runs it) without the renderer's files.
#define REQUIRE_RENDERER()                                                                                    \
  do {                                                                                                        \
    if (!renderer_built()) {                                                                                  \
      std::string why_ = "no " + vendored_renderer().string() +                                               \
                         " (npm ci in tests/openapi, then build: scripts/test does both)";                    \
      if (std::getenv("AMBIT_TEST_REQUIRE_BROWSER")) FAIL() << why_;                                          \
      GTEST_SKIP() << why_;                                                                                   \
    }                                                                                                         \
  } while (0)

/// A deployment with some first-party plugins, so the reference has operations of every kind.
std::string docs_config(const TempDir& dir, json::object server = {}) {
  return write_config(dir, e2e_config(dir, sqlite_url(dir),
                                      {json::object{{"name", "auth-apikey"}}, json::object{{"name", "projects"}},
                                       json::object{{"name", "remote-config"}}},
                                      std::move(server)));
}

}  // namespace

TEST(ApiDocs, TheBrowserDrawsTheReferenceFromTheServerAlone) {
  std::string chromium = chromium_binary();
  if (chromium.empty()) {
    if (std::getenv("AMBIT_TEST_REQUIRE_BROWSER")) FAIL() << "chromium is not installed (scripts/test installs it)";
    GTEST_SKIP() << "chromium is not installed";
  }
  REQUIRE_RENDERER();
  TempDir dir;
  ServerProcess server(docs_config(dir));
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());

  HeadlessBrowser browser(chromium, dir);
  // Before any script of the page runs: record what its Content-Security-Policy refuses.
  browser.call("Page.addScriptToEvaluateOnNewDocument",
               {{"source", "window.__csp = []; document.addEventListener('securitypolicyviolation', "
                           "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"}});
  browser.navigate(origin + "/docs");
  // Swagger UI draws one .opblock per operation once it has read /openapi.json.
  ASSERT_TRUE(browser.wait_for("document.querySelectorAll('.opblock').length > 10", std::chrono::seconds(30)))
      << json::serialize(browser.eval("document.body ? document.body.innerText.slice(0, 2000) : ''"));
  int operations = browser.eval("document.querySelectorAll('.opblock').length").to_number<int>();
  EXPECT_NE(json::serialize(browser.eval("document.body.innerText")).find("/v1/admin/projects"), std::string::npos);
  EXPECT_GT(browser.screenshot(test_artifacts_dir() / "api-docs.png"), 10000u);
  // Open one operation, as a reader would: its parameters and schemas are drawn too.
  browser.eval("document.querySelector('.opblock .opblock-summary-control').click(); true");
  EXPECT_TRUE(browser.wait_for("!!document.querySelector('.opblock .opblock-body')"));

  // Everything the page loaded came from this server: the page, the renderer, /openapi.json.
  json::value urls = browser.eval(
      "[location.href].concat(performance.getEntriesByType('resource').map(e => e.name))");
  ASSERT_TRUE(urls.is_array());
  bool fetched_document = false;
  for (auto& u : urls.as_array()) {
    std::string url = str(u);
    EXPECT_EQ(url.rfind(origin + "/", 0), 0u) << url << " is not on " << origin;
    if (url == origin + "/openapi.json") fetched_document = true;
  }
  EXPECT_TRUE(fetched_document) << json::serialize(urls);
  EXPECT_GE(urls.as_array().size(), 4u) << json::serialize(urls);  // page, bundle, css, init.js, document
  // And the policy refused nothing: the page needs nothing it forbids.
  EXPECT_EQ(json::serialize(browser.eval("window.__csp")), "[]");
  std::cout << operations << " operations drawn; " << urls.as_array().size() << " requests, all to " << origin << "\n";
}

TEST(ApiDocs, ThePageAndItsFilesCarryTheirHeaders) {
  REQUIRE_RENDERER();
  TempDir dir;
  ServerProcess server(docs_config(dir));

  auto page = http(server.port(), "GET", "/docs");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  std::string csp = page.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  for (const char* loose : {"http:", "https:", "*", "unsafe-eval", "unsafe-inline"})
    EXPECT_EQ(csp.find(loose), std::string::npos) << loose << " in " << csp;
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_NE(page.body.find("/docs/swagger-ui-bundle.js"), std::string::npos);
  EXPECT_EQ(page.body.find("//"), std::string::npos) << "an absolute or scheme-relative URL in the page";

  struct Expected {
    const char* name;
    const char* content_type;
  };
  for (auto [name, content_type] : {Expected{"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
                                    Expected{"swagger-ui.css", "text/css; charset=utf-8"},
                                    Expected{"favicon-32x32.png", "image/png"},
                                    Expected{"init.js", "text/javascript; charset=utf-8"}}) {
    SCOPED_TRACE(name);
    auto file = http(server.port(), "GET", std::string("/docs/") + name);
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(file.header("content-type"), content_type);
    EXPECT_EQ(file.header("cache-control"), "public, max-age=86400");
    EXPECT_EQ(file.header("x-content-type-options"), "nosniff");
    std::string etag = file.header("etag");
    ASSERT_FALSE(etag.empty());
    if (std::string(name) != "init.js") {
      EXPECT_EQ(file.body, file_bytes(vendored_renderer() / name));
    }
    auto again = http(server.port(), "GET", std::string("/docs/") + name, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
  }
  EXPECT_NE(http(server.port(), "GET", "/docs/init.js").body.find("validatorUrl: null"), std::string::npos)
      << "Swagger UI must not send the document to its online validator";

  // Only those names: no path, no other file of the directory, whatever the spelling.
  for (const char* target : {"/docs/../openapi.json", "/docs/..%2Fopenapi.json", "/docs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                             "/docs/../../etc/passwd", "/docs/%2Fetc%2Fpasswd", "/docs/LICENSE", "/docs/NOTICE",
                             "/docs/swagger-ui.js", "/docs/swagger-ui-bundle.js.map", "/docs/.", "/docs/..",
                             "/docs/swagger-ui-bundle.js%00.png", "/docs/sub/swagger-ui.css", "/docs/index.html"}) {
    auto refused = http(server.port(), "GET", target);
    EXPECT_TRUE(refused.status == 404 || refused.status == 400) << target << ": " << refused.status;
    EXPECT_EQ(refused.body.find("openapi\":"), std::string::npos) << target;
    EXPECT_EQ(refused.body.find("root:"), std::string::npos) << target;
  }
}

TEST(ApiDocs, WithoutTheRendererAPlainPageLinksTheDocument) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "empty");
  ServerProcess server(docs_config(dir, {{"api_docs_dir", (dir.path() / "empty").string()}}));
  EXPECT_TRUE(server.wait_for_log("lacks the reference renderer", std::chrono::seconds(5))) << server.log();

  auto page = http(server.port(), "GET", "/docs");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("href=\"/openapi.json\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("not installed"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("http"), std::string::npos) << "no link to another host: " << page.body;
  EXPECT_NE(page.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(http(server.port(), "GET", "/docs/swagger-ui-bundle.js").status, 404);
  EXPECT_EQ(http(server.port(), "GET", "/docs/init.js").status, 404);
  EXPECT_EQ(http(server.port(), "GET", "/openapi.json").status, 200);
}
