#pragma once
// GET /docs: the human API reference, drawn in the browser from
// /openapi.json by a vendored renderer (swagger-ui-dist) whose files the
// server itself serves from `server.api_docs_dir` (default
// <exe dir>/../share/ambit/api-docs, filled at build time from
// tests/openapi/node_modules by cmake/AmbitApiDocs.cmake). The page loads
// nothing from another host (its Content-Security-Policy says so). Without
// the renderer's files /docs is a plain page linking /openapi.json.
//
//   GET /docs                      the page
//   GET /docs/swagger-ui-bundle.js the renderer, from the directory
//   GET /docs/swagger-ui.css
//   GET /docs/favicon-32x32.png
//   GET /docs/init.js              the kernel's own start-up script
// Any other name under /docs/ is 404: a fixed allowlist, never a path.

#include <filesystem>
#include <string>

#include "ambit/sdk/logger.hpp"
#include "http/router.hpp"

namespace ambit::kernel {

/// The renderer's directory: `configured` when set, else
/// <exe dir>/../share/ambit/api-docs.
std::filesystem::path api_docs_dir(const std::filesystem::path& configured);

/// The Content-Security-Policy of the reference page: same origin only.
extern const char* const kApiDocsCsp;

/// Reads the renderer's files once (a configured directory without them is
/// logged as a warning) and registers the /docs routes, served from memory.
void register_api_docs_routes(Router& router, const std::filesystem::path& configured_dir, sdk::Logger& log);

}  // namespace ambit::kernel
