// The command-line client in the `ambit` binary (issue 18), through the real
// binary against a real server, on SQLite and PostgreSQL: logging in with an
// API key and through OAuth (the test plays the browser), commands from the
// tool registry (projects with --wait, secrets from a pipe and from a
// terminal's hidden prompt, config, API keys), --output json as the API's own
// body, the exit codes and error lines, logout and help.
//
// Every run gets a home of its own (HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME)
// and none of AMBIT_URL, AMBIT_API_KEY, AMBIT_PROFILE, NO_COLOR, BROWSER or
// DISPLAY from the environment unless a test sets them.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "e2e_util.hpp"

extern char** environ;

using namespace ambit::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "correct horse battery staple";

/// Environment changes for a child: a value sets the variable, nullopt removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

/// A child process with its stdout and stderr captured as they come, and its
/// stdin a pipe the test writes to.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const EnvChanges& changes) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (auto& [k, v] : changes) {
      if (v) env[k] = *v;
      else env.erase(k);
    }
    std::vector<std::string> env_strings;
    for (auto& [k, v] : env) env_strings.push_back(k + "=" + v);

    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    std::vector<char*> args, envp;
    std::vector<std::string> argv_copy = argv;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::setpgid(0, 0);  // its own group: a timeout kills what it started too
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::execvpe(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_fd_ = in[1];
    reader_ = std::thread([this, o = out[0], e = err[0]] { read_loop(o, e); });
  }
  ~Child() {
    close_stdin();
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    stop_ = true;
    if (reader_.joinable()) reader_.join();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void write(const std::string& bytes) {
    std::size_t done = 0;
    while (stdin_fd_ >= 0 && done < bytes.size()) {
      ssize_t n = ::write(stdin_fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;  // the child stopped reading (EPIPE: SIGPIPE is ignored)
      done += static_cast<std::size_t>(n);
    }
  }
  void close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
  std::string out() const {
    std::lock_guard lock(mu_);
    return out_;
  }
  std::string err() const {
    std::lock_guard lock(mu_);
    return err_;
  }
  /// Waits until stdout (or stderr) contains `needle`.
  bool wait_for(const std::string& needle, bool in_stderr, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout,
                        [&] { return (in_stderr ? err_ : out_).find(needle) != std::string::npos || eof_; }) &&
           (in_stderr ? err_ : out_).find(needle) != std::string::npos;
  }
  /// The exit code (128 + signal when killed), or -1 if it is still running after `timeout` (then it is killed).
  int wait(std::chrono::milliseconds timeout) {
    if (reaped_) return exit_code_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
        exit_code_ = -1;
        finish_reading();
        return -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    reaped_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    finish_reading();
    return exit_code_;
  }

 private:
  void finish_reading() {
    // What it wrote before it exited is in the pipes; a descendant that keeps them open is not waited for long.
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 2s, [&] { return eof_; });
    lock.unlock();
    stop_ = true;
    if (reader_.joinable()) reader_.join();
  }
  void read_loop(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open = 2;
    char buf[4096];
    while (open > 0 && !stop_) {
      if (::poll(fds, 2, 50) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open;
          continue;
        }
        std::lock_guard lock(mu_);
        (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
        cv_.notify_all();
      }
    }
    for (auto& f : fds)
      if (f.fd >= 0) ::close(f.fd);
    std::lock_guard lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_, err_;
  bool eof_ = false;
};

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

/// Percent-encoding for a form body.
std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (auto& [k, v] : fields) out += (out.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  return out;
}

/// The hidden inputs of an HTML page, as a browser would submit them.
std::vector<std::pair<std::string, std::string>> hidden_fields(const std::string& html) {
  std::vector<std::pair<std::string, std::string>> out;
  static const std::regex input("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), input); it != std::sregex_iterator(); ++it) {
    std::string value = (*it)[2];
    for (auto [from, to] : {std::pair<std::string, std::string>{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"},
                            {"&#39;", "'"}, {"&amp;", "&"}}) {
      for (auto pos = value.find(from); pos != std::string::npos; pos = value.find(from, pos + to.size()))
        value.replace(pos, from.size(), to);
    }
    out.emplace_back((*it)[1], value);
  }
  return out;
}

/// A shell word for `script -c`.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int file_mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

json::value parse_or_null(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

/// `data` of a response body (null if it has none).
json::value data_of(const json::value& body) {
  if (!body.is_object()) return nullptr;
  auto* d = body.as_object().if_contains("data");
  return d ? *d : json::value(nullptr);
}

/// The row of `rows` whose `field` is `value` (null if none).
json::value row_where(const json::value& rows, const char* field, const std::string& value) {
  if (!rows.is_array()) return nullptr;
  for (auto& r : rows.as_array())
    if (r.is_object() && r.as_object().contains(field) && r.at(field).is_string() && r.at(field).as_string() == value)
      return r;
  return nullptr;
}

}  // namespace

class CliClient : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() { ::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    AMBIT_REQUIRE_BACKEND(GetParam());
    db = std::make_unique<TestDatabase>(GetParam(), dir);
    json::object secrets{{"retry_base_ms", 100}, {"retry_max_ms", 400}};
    auto cfg = e2e_config(dir, db->url(),
                          {json::object{{"name", "auth-apikey"}}, json::object{{"name", "auth-oauth"}},
                           json::object{{"name", "projects"}}, json::object{{"name", "remote-config"}},
                           json::object{{"name", "secrets"}, {"config", secrets}}},
                          {}, {{"poll_interval_ms", 50}});
    config_file = write_config(dir, cfg);
    auto boot = run_ambit({"bootstrap", "--config", config_file, "--email", "owner@example.com", "--password", kPassword});
    ASSERT_EQ(boot.exit_code, 0) << boot.err;
    auto j = json::parse(boot.out);
    owner = {str(j.at("tenant_id")), str(j.at("user_id")), str(j.at("api_key"))};
    server = std::make_unique<ServerProcess>(config_file);
    set_home(dir.path() / "home");
  }

  /// The home the CLI runs in from now on (profiles and caches below it).
  void set_home(const fs::path& h) {
    home = h;
    fs::create_directories(home);
  }
  fs::path config_dir() const { return home / "config" / "ambit"; }
  fs::path profiles_file() const { return config_dir() / "profiles.json"; }
  json::value profiles() const { return parse_or_null(file_bytes(profiles_file())); }

  EnvChanges env(const EnvChanges& extra = {}) const {
    EnvChanges e{{"HOME", home.string()},
                 {"XDG_CONFIG_HOME", (home / "config").string()},
                 {"XDG_CACHE_HOME", (home / "cache").string()},
                 {"AMBIT_URL", std::nullopt},
                 {"AMBIT_API_KEY", std::nullopt},
                 {"AMBIT_PROFILE", std::nullopt},
                 {"NO_COLOR", std::nullopt},
                 {"BROWSER", std::nullopt},
                 {"DISPLAY", std::nullopt},
                 {"WAYLAND_DISPLAY", std::nullopt}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }

  /// `ambit <args>` to completion, `input` on its stdin (then closed).
  CliRun cli(const std::vector<std::string>& args, const std::string& input = {}, const EnvChanges& extra = {},
          std::chrono::milliseconds timeout = 60s) {
    std::vector<std::string> argv{ambit_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    Child child(argv, env(extra));
    child.write(input);
    child.close_stdin();
    CliRun r;
    r.exit_code = child.wait(timeout);
    r.out = child.out();
    r.err = child.err();
    return r;
  }
  /// A command that must succeed: its stdout.
  std::string ok(const std::vector<std::string>& args, const std::string& input = {}) {
    auto r = cli(args, input);
    std::string line;
    for (auto& a : args) line += " " + a;
    EXPECT_EQ(r.exit_code, 0) << "ambit" << line << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r.out;
  }
  /// A command with -o json that must succeed: the document it printed.
  json::value ok_json(const std::vector<std::string>& args) {
    std::string line;
    for (auto& a : args) line += " " + a;
    std::string out = ok(args);
    auto v = parse_or_null(out);
    EXPECT_FALSE(v.is_null()) << "ambit" << line << " printed no single JSON document:\n" << out;
    return v;
  }

  std::uint16_t port() const { return server->port(); }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port()); }
  HttpResult call(const std::string& method, const std::string& target, const std::string& key = {},
                  const std::string& body = {}) {
    return http(port(), method, target, bearer(key.empty() ? owner.key : key), body);
  }

  /// `ambit login --with-api-key` with the owner's key.
  void login_with_key() {
    auto r = cli({"login", "--url", base(), "--with-api-key"}, owner.key + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  /// A project made through the API, active.
  std::string active_project(const std::string& name = "Demo") {
    auto r = call("POST", "/v1/admin/projects", {}, json::serialize(json::object{{"name", name}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    std::string id = str(r.json().at("data").at("project").at("id"));
    EXPECT_TRUE(eventually([&] { return provisioning_status(id) == "active"; }));
    return id;
  }
  std::string provisioning_status(const std::string& id) {
    auto r = call("GET", "/v1/admin/projects/" + id + "/provisioning-status");
    return r.status == 200 ? str(r.json().at("data").at("status")) : "HTTP " + std::to_string(r.status);
  }
  std::string runtime_file(const std::string& project) {
    return file_bytes(dir.path() / "data" / "runtime" / project / "_project.env");
  }
  /// An API key with only these scopes, minted through the API.
  json::object mint_key(const json::array& scopes) {
    auto r = call("POST", "/v1/api_keys", {}, json::serialize(json::object{{"name", "narrow"}, {"scopes", scopes}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("data").as_object() : json::object{};
  }

  TempDir dir;
  std::unique_ptr<TestDatabase> db;
  std::string config_file;
  TenantOwner owner;
  std::unique_ptr<ServerProcess> server;
  fs::path home;
};

// 1. `ambit login --with-api-key`: the key from stdin, checked and kept in a
// private file; later commands need no environment.
TEST_P(CliClient, LogsInWithAnApiKeyFromStdinAndCallsToolsWithoutEnv) {
  // A refused key: exit 3.
  auto refused = cli({"login", "--url", base(), "--with-api-key", "--profile", "bogus"},
                     "ak_live_not_a_real_key_0000000000000000\n");
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;

  auto r = cli({"login", "--url", base(), "--with-api-key"}, owner.key + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find(owner.key), std::string::npos);
  EXPECT_EQ(r.err.find(owner.key), std::string::npos);
  ASSERT_TRUE(fs::exists(profiles_file())) << profiles_file();
  EXPECT_EQ(file_mode(profiles_file()), 0600);
  EXPECT_EQ(file_mode(config_dir()), 0700);
  auto p = profiles();
  ASSERT_TRUE(p.is_object()) << file_bytes(profiles_file());
  const json::value* def = p.as_object().contains("profiles") ? p.at("profiles").as_object().if_contains("default") : nullptr;
  ASSERT_NE(def, nullptr) << file_bytes(profiles_file());
  EXPECT_EQ(def->at("url"), json::value(base()));
  EXPECT_EQ(def->at("auth").at("type"), json::value("api_key"));
  EXPECT_EQ(def->at("auth").at("api_key"), json::value(owner.key));

  auto me = ok_json({"me", "get", "--output", "json"});
  ASSERT_TRUE(me.is_object());
  EXPECT_EQ(me.at("data").at("user_id"), json::value(owner.user_id));
  EXPECT_EQ(me.at("data").at("tenant_id"), json::value(owner.tenant_id));
  EXPECT_TRUE(fs::exists(home / "cache" / "ambit" / "tools-default.json"));

  // Default output: `key  value` lines, no colour on a pipe.
  std::string lines = ok({"me", "get"});
  EXPECT_NE(lines.find(owner.user_id), std::string::npos) << lines;
  EXPECT_EQ(lines.find('\x1b'), std::string::npos) << lines;
}

// 2. A project created with --wait is active when the command ends; secrets
// from a pipe, from a terminal's hidden prompt and with --wait.
TEST_P(CliClient, CreatesAProjectWithWaitAndSetsSecretsFromStdinAndATerminal) {
  login_with_key();
  auto created = ok_json({"projects", "create", "--name", "Demo", "--wait", "--output", "json"});
  ASSERT_TRUE(created.is_object());
  const json::value* project_id = nullptr;
  if (auto* d = created.as_object().if_contains("data"))
    if (auto* p = d->as_object().if_contains("project")) project_id = p->as_object().if_contains("id");
  ASSERT_TRUE(project_id && project_id->is_string()) << json::serialize(created);
  std::string project = str(*project_id);
  EXPECT_EQ(provisioning_status(project), "active");  // no waiting here: --wait did
  auto status = ok_json({"projects", "get-provisioning-status", "--project", project, "-o", "json"});
  EXPECT_EQ(status.at("data").at("status"), json::value("active"));

  ok({"use", "project", project});
  EXPECT_EQ(profiles().at("profiles").at("default").at("project"), json::value(project));

  // From a pipe, as `echo "$KEY" | ambit secrets set STRIPE_KEY -` gives it.
  const std::string piped = "sk_live_piped_51HxQ2eZvKYlo2C";
  auto set = cli({"secrets", "set", "STRIPE_KEY", "-"}, piped + "\n");
  EXPECT_EQ(set.exit_code, 0) << set.out << set.err;
  EXPECT_EQ(set.out.find(piped), std::string::npos) << set.out;
  EXPECT_EQ(set.err.find(piped), std::string::npos) << set.err;
  std::string table = ok({"secrets", "list"});
  EXPECT_NE(table.find("STRIPE_KEY"), std::string::npos) << table;
  EXPECT_EQ(table.find(piped), std::string::npos) << table;
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << table;
  std::string listed = ok({"secrets", "list", "-o", "json"});
  EXPECT_EQ(listed.find(piped), std::string::npos) << listed;
  EXPECT_FALSE(row_where(data_of(parse_or_null(listed)), "name", "STRIPE_KEY").is_null()) << listed;
  // The value stored is the line, without its newline.
  EXPECT_TRUE(eventually([&] { return runtime_file(project).find("STRIPE_KEY=\"" + piped + "\"\n") != std::string::npos; }))
      << runtime_file(project);

  // On a terminal (script(1) gives it one): a prompt with echo off.
  const std::string typed = "pty_typed_value_9fK2Lm";
  std::string command;
  for (const std::string& w : {ambit_binary(), std::string("secrets"), std::string("set"), std::string("OTHER_KEY")})
    command += (command.empty() ? "" : " ") + shell_quote(w);
  {
    Child term({"script", "-qec", command, "/dev/null"}, env());
    ASSERT_TRUE(term.wait_for("Value for", false, 30s)) << "no prompt; stdout: " << term.out() << "\nstderr: " << term.err();
    EXPECT_NE(term.out().find("Value for OTHER_KEY: "), std::string::npos) << term.out();
    term.write(typed + "\n");
    int code = term.wait(60s);
    term.close_stdin();
    EXPECT_EQ(code, 0) << term.out() << term.err();
    EXPECT_EQ(term.out().find(typed), std::string::npos) << "the value was echoed:\n" << term.out();
    EXPECT_EQ(term.err().find(typed), std::string::npos) << term.err();
  }
  EXPECT_TRUE(eventually([&] { return runtime_file(project).find("OTHER_KEY=\"" + typed + "\"\n") != std::string::npos; }))
      << runtime_file(project);

  // --wait: synced when the command ends.
  auto waited = cli({"secrets", "set", "WAITED_KEY", "waited-value", "--wait"});
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  auto got = call("GET", "/v1/admin/projects/" + project + "/secrets/WAITED_KEY");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("data").at("sync_status"), json::value("synced")) << got.body;
}

// 3. Config keys: a typeless value is a string unless it parses as JSON; a number with --value-type number.
TEST_P(CliClient, SetsAndListsConfigKeys) {
  login_with_key();
  std::string project = active_project();
  ok({"use", "project", project});
  ok({"config", "set", "welcome_message", "Hello"});
  ok({"config", "set", "max_items", "42", "--value-type", "number"});
  auto listed = ok_json({"config", "list", "-o", "json"});
  ASSERT_TRUE(listed.is_object());
  auto welcome = row_where(data_of(listed), "key", "welcome_message");
  ASSERT_FALSE(welcome.is_null()) << json::serialize(listed);
  EXPECT_EQ(welcome.at("value"), json::value("Hello"));
  EXPECT_EQ(welcome.at("value_type"), json::value("string"));
  auto max_items = row_where(data_of(listed), "key", "max_items");
  ASSERT_FALSE(max_items.is_null()) << json::serialize(listed);
  EXPECT_EQ(max_items.at("value"), json::value(42));
  EXPECT_EQ(max_items.at("value_type"), json::value("number"));

  std::string table = ok({"config", "list"});
  EXPECT_NE(table.find("welcome_message"), std::string::npos) << table;
  EXPECT_NE(table.find("Hello"), std::string::npos) << table;
  EXPECT_NE(table.find("max_items"), std::string::npos) << table;
  // --project names another project than the default.
  std::string other = active_project("Other");
  auto other_list = ok_json({"config", "list", "--project", other, "-o", "json"});
  EXPECT_TRUE(other_list.at("data").as_array().empty()) << json::serialize(other_list);
}

// 4. API keys: the minted key works, rotation stops the old one, revocation the new one.
TEST_P(CliClient, MintsRotatesAndRevokesAnApiKey) {
  login_with_key();
  auto minted = ok_json({"api-keys", "create", "--name", "ci", "--scope", "projects:read", "-o", "json"});
  ASSERT_TRUE(minted.is_object());
  std::string id = str(minted.at("data").at("id"));
  std::string key = str(minted.at("data").at("key"));
  EXPECT_EQ(minted.at("data").at("scopes"), (json::array{"projects:read"}));
  EXPECT_EQ(call("GET", "/v1/admin/projects", key).status, 200);
  EXPECT_EQ(call("GET", "/v1/api_keys", key).status, 403);  // only what it was given

  auto rotated = ok_json({"api-keys", "rotate", id, "--grace-period-hours", "0", "-o", "json"});
  ASSERT_TRUE(rotated.is_object());
  std::string new_id = str(rotated.at("data").at("id"));
  std::string new_key = str(rotated.at("data").at("key"));
  EXPECT_NE(new_key, key);
  EXPECT_TRUE(eventually([&] { return call("GET", "/v1/me", key).status == 401; }));
  EXPECT_EQ(call("GET", "/v1/admin/projects", new_key).status, 200);

  ok({"api-keys", "revoke", new_id});
  EXPECT_TRUE(eventually([&] { return call("GET", "/v1/me", new_key).status == 401; }));
  auto shown = ok_json({"api-keys", "get", new_id, "-o", "json"});
  EXPECT_EQ(shown.at("data").at("revoked"), json::value(true)) << json::serialize(shown);
  EXPECT_EQ(call("GET", "/v1/me").status, 200);  // the CLI's own key is untouched
}

// 5. --output json prints the API's own body.
TEST_P(CliClient, OutputJsonIsTheBodyTheApiAnswers) {
  login_with_key();
  std::string project = active_project();
  ok({"use", "project", project});
  ok({"config", "set", "banner", "{\"text\": \"hi\", \"n\": [1, 2]}", "--value-type", "json"});
  ok({"config", "set", "flag", "true", "--value-type", "boolean"});
  ok({"secrets", "set", "API_TOKEN", "tok_123"});

  auto config = ok_json({"config", "list", "-o", "json"});
  EXPECT_EQ(config, call("GET", "/v1/admin/projects/" + project + "/config").json());
  auto banner = row_where(data_of(config), "key", "banner");
  ASSERT_FALSE(banner.is_null());
  EXPECT_EQ(banner.at("value"), json::parse(R"({"text": "hi", "n": [1, 2]})"));  // JSON text is JSON
  EXPECT_EQ(ok_json({"projects", "get", "--project", project, "-o", "json"}),
            call("GET", "/v1/admin/projects/" + project).json());
  EXPECT_EQ(ok_json({"me", "get", "-o", "json"}), call("GET", "/v1/me").json());
  EXPECT_TRUE(eventually([&] {
    auto row = row_where(data_of(call("GET", "/v1/admin/projects/" + project + "/secrets").json()), "name", "API_TOKEN");
    return !row.is_null() && row.at("sync_status") == json::value("synced");
  }));
  EXPECT_EQ(ok_json({"secrets", "list", "-o", "json"}), call("GET", "/v1/admin/projects/" + project + "/secrets").json());
}

// 6. Exit codes: 3 auth (naming a missing scope), 4 not found, 2 usage and
// the API's 400, 5 conflict; one `error: ` line on stderr.
TEST_P(CliClient, ErrorsGiveTheirExitCodesAndOneLine) {
  std::string project = active_project();
  auto narrow = mint_key(json::array{"projects:read"});
  ASSERT_FALSE(narrow.empty());
  // No profile at all, the credential from the environment.
  set_home(dir.path() / "env-only");
  EnvChanges creds{{"AMBIT_URL", base()}, {"AMBIT_API_KEY", str(narrow.at("key"))}};
  auto allowed = cli({"projects", "get", "--project", project, "-o", "json"}, {}, creds);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  auto forbidden = cli({"secrets", "list", "--project", project}, {}, creds);
  EXPECT_EQ(forbidden.exit_code, 3) << forbidden.out << forbidden.err;
  EXPECT_NE(forbidden.err.find("missing scope: secrets:read"), std::string::npos) << forbidden.err;
  EXPECT_EQ(forbidden.err.rfind("error: ", 0), 0u) << forbidden.err;
  EXPECT_TRUE(forbidden.out.empty()) << forbidden.out;

  // Not logged in.
  auto nobody = cli({"me", "get"});
  EXPECT_EQ(nobody.exit_code, 3) << nobody.out << nobody.err;

  set_home(dir.path() / "home");
  login_with_key();
  auto missing = cli({"api-keys", "get", "key_doesnotexist"});
  EXPECT_EQ(missing.exit_code, 4) << missing.out << missing.err;
  EXPECT_EQ(missing.err.rfind("error: ", 0), 0u) << missing.err;
  auto missing_project = cli({"projects", "get", "--project", "prj_doesnotexist"});
  EXPECT_EQ(missing_project.exit_code, 4) << missing_project.out << missing_project.err;

  auto bad_flag = cli({"me", "get", "--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.out << bad_flag.err;
  auto bad_command = cli({"no-such-resource", "list"});
  EXPECT_EQ(bad_command.exit_code, 2) << bad_command.out << bad_command.err;
  auto past = cli({"api-keys", "create", "--name", "old", "--scope", "projects:read", "--expires-at",
                   "2001-01-01T00:00:00Z"});
  EXPECT_EQ(past.exit_code, 2) << past.out << past.err;  // the API's 400

  auto conflict = cli({"projects", "reprovision", "--project", project});
  EXPECT_EQ(conflict.exit_code, 5) << conflict.out << conflict.err;
  EXPECT_NE(conflict.err.find("(ALREADY_ACTIVE)"), std::string::npos) << conflict.err;
}

// 7. `ambit login` through OAuth: the test is the browser; then logout.
TEST_P(CliClient, LogsInThroughOAuthAndLogsOut) {
  Child login({ambit_binary(), "login", "--url", base(), "--no-browser"}, env());
  ASSERT_TRUE(login.wait_for("Open this URL in your browser to sign in:", true, 30s)) << login.err();
  // The URL: the line after, indented by two spaces.
  std::string url;
  ASSERT_TRUE(eventually(
      [&] {
        std::string err = login.err();
        auto at = err.find("Open this URL in your browser to sign in:\n  ");
        if (at == std::string::npos) return false;
        auto start = at + std::strlen("Open this URL in your browser to sign in:\n  ");
        auto end = err.find('\n', start);
        if (end == std::string::npos) return false;
        url = err.substr(start, end - start);
        return true;
      },
      10s))
      << login.err();
  ASSERT_EQ(url.rfind(base() + "/oauth/authorize?", 0), 0u) << url;
  EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos) << url;
  // The loopback redirect, with the listener's port (percent-encoded or not: both are valid in a query).
  static const std::regex redirect_re(R"([?&]redirect_uri=http(://|%3A%2F%2F)127\.0\.0\.1(:|%3A)[0-9]+(/|%2F)callback(&|$))");
  EXPECT_TRUE(std::regex_search(url, redirect_re)) << url;

  // The browser: the sign-in page, its form with the cookie, the consent.
  auto page = http(port(), "GET", url.substr(base().size()));
  ASSERT_EQ(page.status, 200) << page.body;
  std::string cookie = page.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto fields = hidden_fields(page.body);
  fields.emplace_back("email", "owner@example.com");
  fields.emplace_back("password", kPassword);
  Headers form_headers{{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}};
  auto consent = http(port(), "POST", "/oauth/authorize", form_headers, form(fields));
  ASSERT_EQ(consent.status, 200) << consent.body;
  auto submit = hidden_fields(consent.body);
  submit.emplace_back("decision", "approve");
  auto approved = http(port(), "POST", "/oauth/authorize", form_headers, form(submit));
  ASSERT_EQ(approved.status, 302) << approved.body;
  std::string location = approved.header("location");
  static const std::regex callback_re(R"(^http://127\.0\.0\.1:([0-9]+)(/callback\?.*)$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(location, m, callback_re)) << location;
  EXPECT_NE(location.find("code="), std::string::npos) << location;
  auto landed = http(static_cast<std::uint16_t>(std::stoi(m[1])), "GET", m[2]);
  EXPECT_EQ(landed.status, 200) << landed.body;

  int code = login.wait(30s);
  EXPECT_EQ(code, 0) << login.err();
  EXPECT_NE(login.err().find("Signed in to " + base() + " (role owner in tenant " + owner.tenant_id + ")"), std::string::npos)
      << login.err();

  EXPECT_EQ(file_mode(profiles_file()), 0600);
  auto p = profiles();
  ASSERT_TRUE(p.is_object()) << file_bytes(profiles_file());
  const auto& auth = p.at("profiles").at("default").at("auth");
  EXPECT_EQ(auth.at("type"), json::value("oauth"));
  std::string access = str(auth.at("access_token"));
  std::string refresh = str(auth.at("refresh_token"));
  std::string client_id = str(auth.at("client_id"));
  EXPECT_TRUE(auth.at("expires_at").is_number());
  EXPECT_EQ(call("GET", "/v1/me", access).status, 200);

  auto me = ok_json({"me", "get", "-o", "json"});
  ASSERT_TRUE(me.is_object());
  EXPECT_EQ(me.at("data").at("user_id"), json::value(owner.user_id));
  EXPECT_EQ(me.at("data").at("tenant_id"), json::value(owner.tenant_id));

  // An expired access token is refreshed before the call, and the new pair is saved.
  {
    json::value edited = profiles();
    edited.at("profiles").at("default").at("auth").as_object()["expires_at"] = 1;
    std::ofstream(profiles_file()) << json::serialize(edited);
    EXPECT_EQ(ok_json({"me", "get", "-o", "json"}).at("data").at("user_id"), json::value(owner.user_id));
    json::value saved = profiles();  // held: at() returns into it
    const auto& renewed = saved.at("profiles").at("default").at("auth");
    EXPECT_NE(str(renewed.at("refresh_token")), refresh);
    EXPECT_GT(renewed.at("expires_at").to_number<long long>(), 1);
    EXPECT_EQ(file_mode(profiles_file()), 0600);
    access = str(renewed.at("access_token"));
    refresh = str(renewed.at("refresh_token"));
  }

  auto out = cli({"logout"});
  EXPECT_EQ(out.exit_code, 0) << out.out << out.err;
  auto after = cli({"me", "get"});
  EXPECT_EQ(after.exit_code, 3) << after.out << after.err;
  EXPECT_EQ(file_bytes(profiles_file()).find(access), std::string::npos);
  // The tokens are revoked at the server, not only forgotten.
  EXPECT_TRUE(eventually([&] { return call("GET", "/v1/me", access).status == 401; }, 5s));
  auto refreshed = http(port(), "POST", "/oauth/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", client_id}}));
  EXPECT_EQ(refreshed.status, 400) << refreshed.body;
}

// 8. Help names a command's inputs.
TEST_P(CliClient, HelpNamesTheInputs) {
  login_with_key();
  auto help = cli({"help", "secrets", "set"});
  EXPECT_EQ(help.exit_code, 0) << help.out << help.err;
  std::string text = help.out + help.err;
  EXPECT_NE(text.find("--function"), std::string::npos) << text;
  EXPECT_NE(text.find("--project"), std::string::npos) << text;
  EXPECT_NE(text.find("NAME"), std::string::npos) << text;
  EXPECT_NE(text.find("VALUE"), std::string::npos) << text;
  auto same = cli({"secrets", "set", "--help"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.out, help.out);

  auto completion = cli({"completion", "bash"});
  EXPECT_EQ(completion.exit_code, 0) << completion.err;
  EXPECT_NE(completion.out.find("complete -o default -F _ambit ambit"), std::string::npos) << completion.out;
  // What the script asks for: the server's commands (from the cached tool list), then a command's flags.
  auto groups = cli({"__complete", "sec"});
  EXPECT_EQ(groups.out, "secrets\n") << groups.err;
  auto actions = cli({"__complete", "secrets", ""});
  EXPECT_NE(actions.out.find("set\n"), std::string::npos) << actions.out;
  EXPECT_NE(actions.out.find("list\n"), std::string::npos) << actions.out;
  auto flags = cli({"__complete", "api-keys", "create", "--sc"});
  EXPECT_EQ(flags.out, "--scope\n--scopes\n") << flags.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, CliClient, ::testing::ValuesIn(test_backends()), backend_param_name);
