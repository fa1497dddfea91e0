// GET /console (the shell) and GET /console/assets/:file: the web files,
// built into the plugin (or read from files_dir while working on them),
// under a CSP that allows this server's own scripts, styles and calls only.
#include <fstream>
#include <sstream>

#include "ambit/sdk/embedded_files.hpp"
#include "operations.hpp"
#include "routes.hpp"

namespace sdk = ambit::sdk;

namespace console {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A file name as the embedding allows it: no path, no dot first.
bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

sdk::Response serve(const sdk::Request& req, const Config& config, const std::string& name) {
  sdk::Response r;
  if (!plain_name(name)) throw sdk::ApiError::not_found("no such console file");
  if (config.files_dir.empty()) {
    auto file = sdk::find_file(sdk::embedded_files(), name);
    if (!file) throw sdk::ApiError::not_found("no such console file");
    r = sdk::file_response(req, file->name, file->content);
  } else {
    std::ifstream in(config.files_dir + "/" + name, std::ios::binary);
    if (!in) throw sdk::ApiError::not_found("no such console file");
    std::stringstream text;
    text << in.rdbuf();
    r = sdk::file_response(req, name, text.str());
  }
  r.with_header("Content-Security-Policy", kCsp)
      .with_header("X-Frame-Options", "DENY")
      .with_header("Referrer-Policy", "no-referrer")
      .with_header("Cross-Origin-Opener-Policy", "same-origin");
  return r;
}

}  // namespace

void register_file_routes(sdk::Context& ctx, const Config& config) {
  auto add = [&](std::string path, sdk::Operation operation, sdk::Handler handler) {
    sdk::RouteSpec r;
    r.method = "GET";
    r.path = std::move(path);
    r.auth = sdk::AuthMode::none;
    r.may_block = !config.files_dir.empty();  // from memory: the I/O thread answers
    r.tags = {"console"};
    r.handler = std::move(handler);
    ctx.add_operation(std::move(r), std::move(operation));
  };
  add("/console", page_operation(), [&config](const sdk::Request& req) { return serve(req, config, "index.html"); });
  add("/console/assets/:file", file_operation(),
      [&config](const sdk::Request& req) { return serve(req, config, req.param("file")); });
}

}  // namespace console
