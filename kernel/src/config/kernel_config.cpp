#include "config/kernel_config.hpp"


#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/json_schema.hpp"
#include "log/json_logger.hpp"
#include "util/paths.hpp"

namespace json = boost::json;

namespace ambit::kernel {
namespace {

json::value make_schema() {
  return json::parse(R"({
  "type": "object",
  "properties": {
    "server": {"type": "object", "description": "HTTP server", "properties": {
      "listen": {"type": "string", "default": "127.0.0.1:8080", "description": "host:port; AMBIT_LISTEN overrides"},
      "public_url": {"type": ["string", "null"], "default": null, "description": "external base URL; default http://<listen>"},
      "io_threads": {"type": "integer", "minimum": 0, "maximum": 256, "default": 0, "description": "0 = one per core"},
      "worker_threads": {"type": "integer", "minimum": 1, "maximum": 1024, "default": 16, "description": "threads running blocking handlers"},
      "body_limit_bytes": {"type": "integer", "minimum": 1, "default": 1048576},
      "header_limit_bytes": {"type": "integer", "minimum": 1024, "default": 16384},
      "header_timeout_ms": {"type": "integer", "minimum": 1, "default": 10000},
      "body_timeout_ms": {"type": "integer", "minimum": 1, "default": 30000},
      "idle_timeout_ms": {"type": "integer", "minimum": 1, "default": 60000},
      "shutdown_grace_ms": {"type": "integer", "minimum": 0, "default": 10000},
      "drain_timeout_ms": {"type": "integer", "minimum": 0, "default": 30000,
        "description": "on SIGTERM, how long requests whose headers arrived may take to finish"},
      "max_connections": {"type": "integer", "minimum": 0, "default": 0,
        "description": "open connections at most; 0 = sized from the descriptor limit"},
      "max_buffered_bytes": {"type": "integer", "minimum": 0, "default": 0,
        "description": "request bytes buffered by all connections at most; 0 = 64 MiB + body_limit_bytes x io_threads"},
      "trusted_proxies": {"type": "array", "items": {"type": "string"}, "default": [],
        "description": "peers (IP or CIDR) whose X-Forwarded-For names the client address"},
      "access_log": {"type": "boolean", "default": true},
      "api_docs_dir": {"type": ["string", "null"], "default": null,
        "description": "the /docs reference renderer's files; default <exe dir>/../share/ambit/api-docs"}
    }},
    "data_dir": {"type": "string", "default": "data", "description": "AMBIT_DATA_DIR overrides"},
    "database": {"type": "object", "properties": {
      "url": {"type": ["string", "null"], "default": null, "description": "sqlite3://... or postgresql://...; default SQLite in data_dir"},
      "pool_size": {"type": "integer", "minimum": 1, "maximum": 512, "default": 8}
    }},
    "log": {"type": "object", "properties": {
      "level": {"type": "string", "enum": ["debug", "info", "warn", "error"], "default": "info"}
    }},
    "jobs": {"type": "object", "properties": {
      "enabled": {"type": "boolean", "default": true},
      "workers": {"type": "integer", "minimum": 1, "maximum": 64, "default": 2},
      "poll_interval_ms": {"type": "integer", "minimum": 10, "default": 500},
      "lease_ms": {"type": "integer", "minimum": 100, "default": 10000, "description": "a running job's lease, renewed by a heartbeat every third of it"},
      "backoff_base_ms": {"type": "integer", "minimum": 1, "default": 1000}
    }},
    "identity": {"type": "object", "properties": {
      "roles": {"type": "object", "description": "each role's default scopes as patterns: *, res:*, *:action, exact, !exclude",
        "properties": {
          "viewer": {"type": "array", "items": {"type": "string"}, "default": ["*:read", "!audit:read", "tenants:create"]},
          "editor": {"type": "array", "items": {"type": "string"}, "default": ["*:read", "*:write", "keys:manage", "!audit:read", "tenants:create"]},
          "admin": {"type": "array", "items": {"type": "string"}, "default": ["*", "!tenant:manage"]},
          "owner": {"type": "array", "items": {"type": "string"}, "default": ["*"]}
        }},
      "invitation_ttl_hours": {"type": "integer", "minimum": 1, "maximum": 8760, "default": 168,
        "description": "how long an invitation link stays valid"},
      "password_reset_ttl_minutes": {"type": "integer", "minimum": 1, "maximum": 10080, "default": 60},
      "max_tenants_per_user": {"type": "integer", "minimum": 1, "default": 10,
        "description": "tenants a user may create with POST /v1/tenants"},
      "sign_in": {"type": "object", "description": "password attempts: free attempts, then a delay doubling per failure",
        "properties": {
          "concurrency": {"type": "integer", "minimum": 0, "maximum": 64, "default": 0,
            "description": "password hashes computed at once; 0 = half the cores, at least 1"},
          "free_failures_per_account": {"type": "integer", "minimum": 1, "default": 5},
          "free_failures_per_address": {"type": "integer", "minimum": 1, "default": 20},
          "max_delay_seconds": {"type": "integer", "minimum": 1, "default": 300},
          "window_seconds": {"type": "integer", "minimum": 1, "default": 900,
            "description": "failures older than this are forgotten"}
        }}
    }},
    "audit": {"type": "object", "description": "the audit log; see docs/operator.md, Audit log", "properties": {
      "mode": {"type": "string", "enum": ["async", "strict"], "default": "async",
        "description": "strict: a request is answered only once its audit row is committed, 503 when it cannot be"},
      "on_overflow": {"type": "string", "enum": ["block", "fail", "drop"], "default": "block",
        "description": "when max_queued_rows rows wait: block waits up to overflow_timeout_ms then answers 503, fail answers 503, drop serves and drops the row"},
      "overflow_timeout_ms": {"type": "integer", "minimum": 0, "default": 2000},
      "max_queued_rows": {"type": "integer", "minimum": 1, "default": 100000},
      "flush_interval_ms": {"type": "integer", "minimum": 1, "maximum": 60000, "default": 200},
      "retention_days": {"type": "integer", "minimum": 0, "default": 90, "description": "0 keeps every row"},
      "prune_interval_minutes": {"type": "integer", "minimum": 1, "default": 60},
      "sinks": {"type": "array", "default": [], "description": "copies of every committed row", "items": {
        "type": "object", "required": ["type", "path"], "additionalProperties": false, "properties": {
          "type": {"type": "string", "enum": ["file"], "description": "file: JSON lines, rotated by size"},
          "path": {"type": "string", "minLength": 1, "description": "relative to data_dir"},
          "max_bytes": {"type": "integer", "minimum": 1024, "default": 104857600},
          "max_files": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5,
            "description": "the live file and its rotated copies path.1 ... path.<max_files-1>"}
        }}}
    }},
    "testing": {"type": "object", "description": "test-only switches; never in production", "properties": {
      "clock_offset_file": {"type": "string", "default": "", "description": "shift the clock by the milliseconds in this file"}
    }},
    "plugin_dirs": {"type": "array", "items": {"type": "string"}, "default": []},
    "plugins": {"type": "array", "default": [], "items": {
      "type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1},
        "sha256": {"type": "string", "description": "pin: refuse the file unless its SHA-256 matches"},
        "config": {"type": "object", "additionalProperties": true, "default": {}}
      }}}
  }})");
}

bool parse_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = text.substr(0, colon);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  unsigned value = 0;
  auto [p, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || p != end || begin == end || value > 65535) return false;
  host = h;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

const json::value& kernel_config_schema() {
  static const json::value schema = make_schema();
  return schema;
}

std::string default_public_url(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<json::value> parse_config_json(const std::string& text, std::string& error) {
  json::parse_options options;
  options.allow_comments = true;
  options.allow_trailing_commas = true;
  json::stream_parser parser(json::storage_ptr(), options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
    }
    error = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + ec.message();
    return std::nullopt;
  }
  return parser.release();
}

ConfigResult load_config(const std::filesystem::path& file, const EnvLookup& env) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {std::nullopt, {file.string() + ": cannot read the config file"}};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_config_text(buffer.str(), file, env);
}

ConfigResult load_config_text(const std::string& text, const std::filesystem::path& file, const EnvLookup& env) {
  ConfigResult result;
  std::string parse_error;
  auto parsed = parse_config_json(text, parse_error);
  if (!parsed) {
    result.errors.push_back(file.string() + ": " + parse_error);
    return result;
  }
  json::value v = apply_schema(kernel_config_schema(), *parsed, "", result.errors);
  if (!result.errors.empty() || !v.is_object()) return result;
  const json::object& root = v.as_object();
  const json::object& server = root.at("server").as_object();
  const json::object& database = root.at("database").as_object();
  const json::object& jobs = root.at("jobs").as_object();

  KernelConfig c;
  c.file = file;
  auto ms = [](const json::value& x) { return std::chrono::milliseconds(x.as_int64()); };

  std::string listen = std::string(server.at("listen").as_string());
  std::string listen_path = "server.listen";
  if (auto e = env("AMBIT_LISTEN")) { listen = *e; listen_path = "AMBIT_LISTEN"; }
  if (!parse_listen(listen, c.listen_host, c.listen_port))
    result.errors.push_back(listen_path + ": expected host:port, got \"" + listen + "\"");

  c.io_threads = static_cast<int>(server.at("io_threads").as_int64());
  if (c.io_threads == 0) c.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.worker_threads = static_cast<int>(server.at("worker_threads").as_int64());
  c.body_limit = static_cast<std::size_t>(server.at("body_limit_bytes").as_int64());
  c.header_limit = static_cast<std::size_t>(server.at("header_limit_bytes").as_int64());
  c.header_timeout = ms(server.at("header_timeout_ms"));
  c.body_timeout = ms(server.at("body_timeout_ms"));
  c.idle_timeout = ms(server.at("idle_timeout_ms"));
  c.shutdown_grace = ms(server.at("shutdown_grace_ms"));
  c.drain_timeout = ms(server.at("drain_timeout_ms"));
  c.max_connections = static_cast<std::size_t>(server.at("max_connections").as_int64());
  c.max_buffered_bytes = static_cast<std::size_t>(server.at("max_buffered_bytes").as_int64());
  for (auto& p : server.at("trusted_proxies").as_array()) c.trusted_proxies.emplace_back(p.as_string());
  c.access_log = server.at("access_log").as_bool();
  if (server.at("api_docs_dir").is_string()) c.api_docs_dir = std::string(server.at("api_docs_dir").as_string());

  c.data_dir = std::string(root.at("data_dir").as_string());
  if (auto e = env("AMBIT_DATA_DIR")) c.data_dir = *e;

  if (database.at("url").is_string()) c.database_url = std::string(database.at("url").as_string());
  if (auto e = env("AMBIT_DATABASE_URL")) c.database_url = *e;
  if (c.database_url.empty()) c.database_url = "sqlite3://" + (c.data_dir / "ambit.db").string();
  c.pool_size = static_cast<int>(database.at("pool_size").as_int64());

  std::string level = std::string(root.at("log").as_object().at("level").as_string());
  std::string level_path = "log.level";
  if (auto e = env("AMBIT_LOG_LEVEL")) { level = *e; level_path = "AMBIT_LOG_LEVEL"; }
  try {
    c.log_level = parse_log_level(level);
  } catch (const std::invalid_argument& ex) {
    result.errors.push_back(level_path + ": " + ex.what());
  }

  if (auto e = env("AMBIT_MASTER_KEY")) c.master_key_base64 = *e;

  c.jobs.enabled = jobs.at("enabled").as_bool();
  c.jobs.workers = static_cast<int>(jobs.at("workers").as_int64());
  c.jobs.poll_interval = ms(jobs.at("poll_interval_ms"));
  c.jobs.lease = ms(jobs.at("lease_ms"));
  c.jobs.backoff_base = ms(jobs.at("backoff_base_ms"));

  const auto& audit = root.at("audit").as_object();
  auto string_of = [](const json::value& x) { return std::string(x.as_string()); };
  c.audit.mode = string_of(audit.at("mode")) == "strict" ? AuditConfig::Mode::strict : AuditConfig::Mode::async;
  auto overflow = string_of(audit.at("on_overflow"));
  c.audit.on_overflow = overflow == "fail"   ? AuditConfig::Overflow::fail
                        : overflow == "drop" ? AuditConfig::Overflow::drop
                                             : AuditConfig::Overflow::block;
  c.audit.overflow_timeout = ms(audit.at("overflow_timeout_ms"));
  c.audit.max_queued_rows = static_cast<std::size_t>(audit.at("max_queued_rows").as_int64());
  c.audit.flush_interval = ms(audit.at("flush_interval_ms"));
  c.audit.retention_days = static_cast<int>(audit.at("retention_days").as_int64());
  c.audit.prune_interval = std::chrono::minutes(audit.at("prune_interval_minutes").as_int64());
  for (auto& sink : audit.at("sinks").as_array()) {
    const auto& o = sink.as_object();
    std::filesystem::path path = string_of(o.at("path"));
    AuditConfig::FileSink sink_file{.path = path.is_absolute() ? path : c.data_dir / path};
    if (auto* x = o.if_contains("max_bytes")) sink_file.max_bytes = static_cast<std::uint64_t>(x->as_int64());
    if (auto* x = o.if_contains("max_files")) sink_file.max_files = static_cast<int>(x->as_int64());
    c.audit.file_sinks.push_back(std::move(sink_file));
  }

  c.clock_offset_file = std::string(root.at("testing").as_object().at("clock_offset_file").as_string());
  const auto& identity = root.at("identity").as_object();
  c.role_patterns = identity.at("roles").as_object();
  c.identity.invitation_ttl = std::chrono::hours(identity.at("invitation_ttl_hours").as_int64());
  c.identity.password_reset_ttl = std::chrono::minutes(identity.at("password_reset_ttl_minutes").as_int64());
  c.identity.max_tenants_per_user = static_cast<int>(identity.at("max_tenants_per_user").as_int64());
  const auto& sign_in = identity.at("sign_in").as_object();
  c.identity.sign_in_concurrency = static_cast<int>(sign_in.at("concurrency").as_int64());
  if (c.identity.sign_in_concurrency == 0)
    c.identity.sign_in_concurrency = static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
  c.identity.free_failures_per_account = static_cast<int>(sign_in.at("free_failures_per_account").as_int64());
  c.identity.free_failures_per_address = static_cast<int>(sign_in.at("free_failures_per_address").as_int64());
  c.identity.max_delay = std::chrono::seconds(sign_in.at("max_delay_seconds").as_int64());
  c.identity.failure_window = std::chrono::seconds(sign_in.at("window_seconds").as_int64());
  for (auto& d : root.at("plugin_dirs").as_array()) c.plugin_dirs.emplace_back(std::string(d.as_string()));
  c.plugin_dirs.push_back(builtin_plugin_dir());

  std::size_t i = 0;
  for (auto& p : root.at("plugins").as_array()) {
    const json::object& o = p.as_object();
    PluginEntry entry;
    entry.name = std::string(o.at("name").as_string());
    if (auto* s = o.if_contains("sha256")) entry.sha256 = std::string(s->as_string());
    entry.config = o.at("config").as_object();
    entry.path = "plugins[" + std::to_string(i++) + "]";
    for (auto& other : c.plugins)
      if (other.name == entry.name)
        result.errors.push_back(entry.path + ".name: plugin \"" + entry.name + "\" is listed twice");
    c.plugins.push_back(std::move(entry));
  }

  if (server.at("public_url").is_string()) {
    c.public_url = std::string(server.at("public_url").as_string());
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  } else if (c.listen_port != 0) {
    c.public_url = default_public_url(c.listen_host, c.listen_port);
  }
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace ambit::kernel
