#include "tool_catalog.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "exit_codes.hpp"

namespace json = boost::json;
namespace fs = std::filesystem;

namespace ambit::cli {
namespace {

constexpr long long kFreshSeconds = 60;

fs::path cache_file(const Session& session) { return cache_dir() / ("tools-" + session.profile_name() + ".json"); }

/// The cache, when it was written for this server and credential.
std::optional<json::object> read_cache(const Session& session) {
  std::ifstream in(cache_file(session));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object()) return std::nullopt;
  auto& o = doc.as_object();
  auto same = [&](const char* key, const std::string& value) {
    auto* v = o.if_contains(key);
    return v && v->is_string() && v->as_string() == value;
  };
  if (!same("url", session.url()) || !same("credential", session.credential_label()) || !o.contains("tools") ||
      !o.at("tools").is_array())
    return std::nullopt;
  return o;
}

void write_cache(const Session& session, const std::string& etag, const json::array& tools) {
  try {
    write_private_file(cache_file(session),
                       json::serialize(json::object{{"url", session.url()},
                                                    {"credential", session.credential_label()},
                                                    {"etag", etag},
                                                    {"fetched_at", unix_now()},
                                                    {"tools", tools}}));
  } catch (const std::exception&) {
    // A cache that cannot be written only costs the next command a fetch.
  }
}

}  // namespace

ToolCatalog ToolCatalog::load(Session& session, bool offline) {
  ToolCatalog out;
  auto cached = read_cache(session);
  if (cached) {
    out.tools_ = cached->at("tools").as_array();
    auto* at = cached->if_contains("fetched_at");
    bool fresh = at && at->is_int64() && unix_now() - at->as_int64() < kFreshSeconds;
    if (fresh || offline) return out;
  } else if (offline) {
    return out;
  }
  HeaderList headers;
  std::string etag;
  if (cached)
    if (auto* e = cached->if_contains("etag"); e && e->is_string()) etag = std::string(e->as_string());
  if (!etag.empty()) headers.emplace_back("If-None-Match", etag);
  // Every tool, also those this credential may not call: the command exists, and running it names the missing scope.
  auto r = session.call("GET", "/v1/tools?all=true", {}, headers);
  if (r.status == 304 && cached) {
    write_cache(session, etag, out.tools_);
    return out;
  }
  if (r.status != 200) throw api_error(r);
  auto doc = json::parse(r.body);
  out.tools_ = doc.at("data").as_array();
  write_cache(session, r.header("etag"), out.tools_);
  return out;
}

const json::object* ToolCatalog::find(std::string_view id) const {
  for (auto& t : tools_)
    if (t.is_object() && t.as_object().at("id").as_string() == id) return &t.as_object();
  return nullptr;
}

std::vector<std::string> command_words(const json::object& tool) {
  std::string command;
  if (auto* cli = tool.if_contains("cli"); cli && cli->is_object())
    if (auto* c = cli->as_object().if_contains("command"); c && c->is_string()) command = std::string(c->as_string());
  if (command.empty()) {  // a server older than the cli field: the default rule
    command = std::string(tool.at("id").as_string());
    for (char& ch : command) ch = ch == '_' ? '-' : ch == '.' ? ' ' : ch;
  }
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

}  // namespace ambit::cli
