#include "client.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "exit_codes.hpp"
#include "json_text.hpp"
#include "oauth_login.hpp"
#include "shell_completion.hpp"
#include "terminal.hpp"
#include "tool_commands.hpp"

namespace json = boost::json;

namespace ambit::cli {

struct Client::State {
  CLI::App* app = nullptr;
  std::vector<std::string> args;
  std::string profile;
  OutputOptions output;
  std::optional<CliError> catalog_error;  ///< why the server's commands are missing
  std::unique_ptr<Session> session;  ///< the one the tool list was loaded for; the tool command runs with it
  std::optional<ToolCatalog> catalog;
  std::unique_ptr<ToolCommands> tools;

  CLI::App* login = nullptr;
  std::string login_url;
  bool with_api_key = false, no_browser = false;
  CLI::App* logout = nullptr;
  CLI::App* use_project = nullptr;
  std::string project;
  CLI::App* completion = nullptr;
  std::string shell;
  std::optional<std::vector<std::string>> complete;  ///< `ambit __complete WORDS...` (the completion scripts)

  int do_login();
  int do_logout();
  int do_use_project();
};

namespace {

/// The value of a global option in `args` (--profile X, --profile=X), or "".
std::string option_value(const std::vector<std::string>& args, const std::string& name, const std::string& short_name = {}) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == name || (!short_name.empty() && args[i] == short_name)) && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(name + "=", 0) == 0) return args[i].substr(name.size() + 1);
  }
  return {};
}

/// The words of the command line, without options and their values.
std::vector<std::string> words_of(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--profile" || args[i] == "--output" || args[i] == "-o") {
      ++i;
      continue;
    }
    if (!args[i].empty() && args[i][0] == '-') break;  // a command's flags: its words are all before
    out.push_back(args[i]);
  }
  return out;
}

bool starts_with_path(const std::vector<std::string>& words, const std::string& path) {
  std::vector<std::string> parts;
  std::istringstream in(path);
  for (std::string w; in >> w;) parts.push_back(w);
  if (words.size() < parts.size()) return false;
  return std::equal(parts.begin(), parts.end(), words.begin());
}


/// "Signed in to URL (role R in tenant T)" from GET /v1/me.
std::string who(const HttpResponse& me) {
  auto doc = json::parse(me.body);
  auto& d = doc.at("data").as_object();
  std::string role = text_of(d, "role");
  return "(" + (role.empty() ? std::string("no role") : "role " + role) + " in tenant " + text_of(d, "tenant_id") + ")";
}

}  // namespace

Client::Client(CLI::App& app, std::vector<std::string> args, const std::vector<std::string>& server_paths)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.app = &app;
  // `ambit help secrets set` is `ambit secrets set --help`.
  if (!args.empty() && args.front() == "help") {
    args.erase(args.begin());
    args.emplace_back("--help");
  }
  s.args = args;

  app.fallthrough();  // --profile and --output work after the command's words too
  app.add_option("--profile", s.profile, "the profile (server and credential) to use; default: AMBIT_PROFILE or default")
      ->group("Client options");
  app.add_option("--output,-o", s.output.format, "table (for people) or json (the API's answer as it is)")
      ->check(CLI::IsMember({"table", "json"}))
      ->group("Client options");

  if (!args.empty() && args.front() == "__complete") s.complete.emplace(args.begin() + 1, args.end());
  s.login = app.add_subcommand("login", "sign in to a server: OAuth in the browser, or an API key from stdin");
  s.login->add_option("--url", s.login_url, "the server (default: the profile's, else " + std::string(kDefaultUrl) + ")");
  s.login->add_flag("--with-api-key", s.with_api_key, "read an API key from stdin instead of signing in in a browser");
  s.login->add_flag("--no-browser", s.no_browser, "only print the sign-in URL");
  s.logout = app.add_subcommand("logout", "revoke the profile's tokens and forget them");
  auto* use = app.add_subcommand("use", "set a default for later commands");
  use->require_subcommand(1);
  s.use_project = use->add_subcommand("project", "the project later commands act on when --project is left out");
  s.use_project->add_option("project", s.project, "the project's id (prj_...)")->required();
  s.completion = app.add_subcommand("completion", "print a shell completion script: eval \"$(ambit completion bash)\"");
  s.completion->add_option("shell", s.shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  for (auto* sub : {s.login, s.logout, use, s.completion}) sub->group("Client commands");

  auto words = words_of(s.args);
  bool server = std::any_of(server_paths.begin(), server_paths.end(),
                            [&](const std::string& p) { return starts_with_path(words, p); });
  bool builtin = !words.empty() && (words[0] == "login" || words[0] == "logout" || words[0] == "use" ||
                                    words[0] == "completion");
  bool completing = !words.empty() && words[0] == "__complete";
  if (server || builtin) return;
  try {
    s.session = std::make_unique<Session>(option_value(s.args, "--profile"));
    // Help and completion should not wait on a server that is not there.
    bool offline = completing || words.empty();
    s.catalog = ToolCatalog::load(*s.session, offline);
    s.tools = std::make_unique<ToolCommands>(app, *s.catalog);
  } catch (const CliError& e) {
    s.catalog_error = e;
  } catch (const std::exception& e) {  // no server (HttpFailure), an unreadable profile
    s.catalog_error = CliError(kFailed, e.what());
  }
}

Client::~Client() = default;

std::optional<int> Client::parse() {
  State& s = *state_;
  if (s.complete) return std::nullopt;  // not a command line to check: words being typed
  std::vector<std::string> reversed(s.args.rbegin(), s.args.rend());  // CLI11 takes them last first
  try {
    s.app->parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return s.app->exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return s.app->exit(e);
  } catch (const CLI::ParseError& e) {
    // An unknown word is most likely a server command we could not list: say why.
    if (s.catalog_error && (dynamic_cast<const CLI::ExtrasError*>(&e) || dynamic_cast<const CLI::RequiredError*>(&e))) {
      std::cerr << red("error: ", stderr_is_terminal()) << s.catalog_error->what() << "\n";
      return s.catalog_error->code;
    }
    s.app->exit(e);
    return kUsage;
  }
  return std::nullopt;
}

int Client::State::do_login() {
  Session session(profile);
  std::string url = login_url.empty() ? session.url() : login_url;
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  Profile& p = session.profile();
  if (p.url != url) p.project.clear();  // another server: its projects are others
  if (with_api_key) {
    if (stdin_is_terminal()) std::cerr << "Paste the API key, then Enter: " << std::flush;
    std::string key = stdin_is_terminal() ? read_secret("") : read_stdin_line();
    if (key.empty()) throw CliError(kUsage, "no API key on stdin");
    auto me = http_request(url, "GET", "/v1/me", {{"Authorization", "Bearer " + key}});
    if (me.status != 200) throw api_error(me);
    p.url = url;
    p.auth = {{"type", "api_key"}, {"api_key", key}};
    session.save();
    std::cerr << "Signed in to " << url << " with an API key " << who(me) << "\n";
    return kOk;
  }
  auto auth = oauth_login({.url = url, .open_browser = !no_browser});
  auto me = http_request(url, "GET", "/v1/me", {{"Authorization", "Bearer " + text_of(auth, "access_token")}});
  if (me.status != 200) throw api_error(me);
  if (text_of(p.auth, "type") == "oauth") oauth_logout(p.auth);  // the previous sign-in's grant ends
  p.url = url;
  p.auth = std::move(auth);
  session.save();
  std::cerr << "Signed in to " << url << " " << who(me) << "\n";
  return kOk;
}

int Client::State::do_logout() {
  Session session(profile);
  Profile& p = session.profile();
  if (p.auth.empty()) {
    std::cerr << "Not signed in to " << session.url() << "\n";
    return kOk;
  }
  bool revoked = text_of(p.auth, "type") != "oauth" || oauth_logout(p.auth);
  p.auth = {};
  session.save();
  std::cerr << "Signed out of " << session.url()
            << (revoked ? "" : " (the server did not confirm the revocation; the tokens are forgotten)") << "\n";
  return kOk;
}

int Client::State::do_use_project() {
  Session session(profile);
  if (session.signed_in()) {  // catch a typo now rather than at the next command
    auto r = session.call("GET", "/v1/admin/projects/" + encode_path_segment(project));
    if (r.status != 200) throw api_error(r);
  }
  session.profile().project = project;
  session.save();
  std::cerr << "Commands now act on project " << project << " unless --project says otherwise\n";
  return kOk;
}

std::optional<int> Client::run() {
  State& s = *state_;
  auto body = [&]() -> std::optional<int> {
    if (s.login->parsed()) return s.do_login();
    if (s.logout->parsed()) return s.do_logout();
    if (s.use_project->parsed()) return s.do_use_project();
    if (s.completion->parsed()) {
      std::cout << completion_script(s.shell);
      return kOk;
    }
    if (s.complete) {
      for (auto& c : complete_words(*s.app, *s.complete)) std::cout << c << "\n";
      return kOk;
    }
    if (s.tools) return s.tools->run(*s.session, s.output);
    return std::nullopt;
  };
  bool colour = stderr_is_terminal() && !std::getenv("NO_COLOR");
  try {
    return body();
  } catch (const CliError& e) {
    std::cerr << red("error: ", colour) << e.what() << "\n";
    return e.code;
  } catch (const std::exception& e) {  // no server (HttpFailure), a file that cannot be written
    std::cerr << red("error: ", colour) << e.what() << "\n";
    return kFailed;
  }
}

}  // namespace ambit::cli
