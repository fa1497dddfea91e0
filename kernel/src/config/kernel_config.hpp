#pragma once
// The deployment config: one JSON file (comments and trailing commas allowed),
// validated against kernel_config_schema(), then the AMBIT_* environment
// overrides. Plugin sections are validated later, against each plugin's own
// schema, by the plugin host.

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ambit/sdk/logger.hpp"

namespace ambit::kernel {

struct PluginEntry {
  std::string name;
  std::string sha256;           ///< optional pin of the .so file
  boost::json::object config;   ///< the raw section, validated by the plugin host
  std::string path;             ///< "plugins[i]" for error messages
};

struct JobsConfig {
  bool enabled = true;
  int workers = 2;
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds lease{10000};  ///< renewed every lease/3 while the job runs
  std::chrono::milliseconds backoff_base{1000};
};

/// identity.*: invitations, password resets, tenant creation, sign-in limits.
struct IdentityConfig {
  std::chrono::hours invitation_ttl{168};
  std::chrono::minutes password_reset_ttl{60};
  int max_tenants_per_user = 10;
  int sign_in_concurrency = 1;  ///< resolved: >= 1
  int free_failures_per_account = 5;
  int free_failures_per_address = 20;
  std::chrono::seconds max_delay{300};
  std::chrono::seconds failure_window{900};
};

/// audit.*: the audit log's queue, overflow policy, retention and sinks.
struct AuditConfig {
  enum class Mode { async, strict };
  enum class Overflow { block, fail, drop };
  struct FileSink {
    std::filesystem::path path;  ///< resolved: relative to data_dir
    std::uint64_t max_bytes = 100ull << 20;
    int max_files = 5;
  };
  Mode mode = Mode::async;
  Overflow on_overflow = Overflow::block;
  std::chrono::milliseconds overflow_timeout{2000};
  std::size_t max_queued_rows = 100000;
  std::chrono::milliseconds flush_interval{200};
  int retention_days = 90;  ///< 0: keep every row
  std::chrono::minutes prune_interval{60};
  std::vector<FileSink> file_sinks;
};

struct KernelConfig {
  std::filesystem::path file;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string public_url;  ///< default http://<listen>; with port 0, set once the port is bound
  int io_threads = 0;      ///< resolved: >= 1
  int worker_threads = 16;
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 << 10;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  std::chrono::milliseconds drain_timeout{30000};
  std::size_t max_connections = 0;     ///< 0: sized from the descriptor limit
  std::size_t max_buffered_bytes = 0;  ///< 0: derived from body_limit and io_threads
  std::vector<std::string> trusted_proxies;  ///< IPs or CIDRs
  bool access_log = true;
  std::filesystem::path api_docs_dir;  ///< server.api_docs_dir; empty: <exe dir>/../share/ambit/api-docs
  std::filesystem::path data_dir = "data";
  std::string database_url;  ///< resolved: sqlite under data_dir by default
  int pool_size = 8;
  sdk::LogLevel log_level = sdk::LogLevel::info;
  std::string master_key_base64;  ///< AMBIT_MASTER_KEY, never from the file
  JobsConfig jobs;
  boost::json::object role_patterns;  ///< identity.roles: role -> scope patterns
  IdentityConfig identity;
  AuditConfig audit;
  std::string clock_offset_file;  ///< testing.clock_offset_file (tests only)
  std::vector<std::filesystem::path> plugin_dirs;  ///< config's, then the built-in dir
  std::vector<PluginEntry> plugins;
};

using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_env();

const boost::json::value& kernel_config_schema();
std::string default_public_url(const std::string& host, std::uint16_t port);

struct ConfigResult {
  std::optional<KernelConfig> config;
  std::vector<std::string> errors;  ///< each "path: message"
};

/// Parse JSON with comments and trailing commas; errors carry line/column.
std::optional<boost::json::value> parse_config_json(const std::string& text, std::string& error);

ConfigResult load_config(const std::filesystem::path& file, const EnvLookup& env = process_env());
ConfigResult load_config_text(const std::string& text, const std::filesystem::path& file, const EnvLookup& env);

}  // namespace ambit::kernel
