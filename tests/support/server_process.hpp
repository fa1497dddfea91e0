#pragma once
// Runs the real `ambit` binary as a child process for end-to-end tests:
// captures its stderr (JSON log lines), learns the bound port from the
// "listening" line, signals and reaps it.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ambit::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Run `ambit <args...>` to completion with extra environment variables.
ProcessResult run_ambit(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                        std::chrono::seconds timeout = std::chrono::seconds(60));

class ServerProcess {
 public:
  /// Starts `ambit serve --config <config>` with AMBIT_LISTEN=127.0.0.1:0 and
  /// `env`; waits until it listens (throws with its log if it exits first).
  ServerProcess(const std::string& config_file, std::map<std::string, std::string> env = {});
  ~ServerProcess();  ///< SIGKILL if still running

  std::uint16_t port() const { return port_; }
  void signal(int sig);
  /// Wait for exit; returns the exit code, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string log() const;
  /// Wait until a log line contains `needle`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  void read_loop(int fd);
  int pid_ = -1;
  std::uint16_t port_ = 0;
  int exit_code_ = -1;
  bool exited_ = false;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;
};

}  // namespace ambit::test
