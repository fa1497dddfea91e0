#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "test_env.hpp"

namespace ambit::test {
namespace {

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, int out_fd,
            int err_fd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    // A test binary that is killed (a timeout, ^C) takes its servers with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = ambit_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

ProcessResult run_ambit(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                        std::chrono::seconds timeout) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = spawn(args, env, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  ProcessResult r;
  std::thread t([&] { r.err = drain(err[0]); });
  r.out = drain(out[0]);
  t.join();
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

ServerProcess::ServerProcess(const std::string& config_file, std::map<std::string, std::string> env) {
  env.emplace("AMBIT_LISTEN", "127.0.0.1:0");
  int err[2];
  if (::pipe(err) != 0) throw std::runtime_error("pipe failed");
  int devnull = ::open("/dev/null", O_WRONLY);
  pid_ = spawn({"serve", "--config", config_file}, env, devnull, err[1]);
  ::close(devnull);
  ::close(err[1]);
  reader_ = std::thread([this, fd = err[0]] { read_loop(fd); });
  std::unique_lock lock(mu_);
  static const std::regex port_re("\"msg\":\"listening\".*\"port\":([0-9]+)");
  bool ok = cv_.wait_for(lock, std::chrono::seconds(30), [&] {
    std::smatch m;
    if (std::regex_search(log_, m, port_re)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return true;
    }
    return exited_;
  });
  if (!ok || port_ == 0) {
    std::string log = log_;
    lock.unlock();
    throw std::runtime_error("ambit did not start listening; its log:\n" + log);
  }
}

ServerProcess::~ServerProcess() {
  if (!exited_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  if (reader_.joinable()) reader_.join();
}

void ServerProcess::read_loop(int fd) {
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    std::lock_guard lock(mu_);
    log_.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
  // EOF: the child closed stderr, i.e. exited.
  int status = 0;
  ::waitpid(pid_, &status, 0);
  std::lock_guard lock(mu_);
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  exited_ = true;
  cv_.notify_all();
}

void ServerProcess::signal(int sig) { ::kill(pid_, sig); }

int ServerProcess::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return exited_; })) return -1;
  return exit_code_;
}

std::string ServerProcess::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

bool ServerProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return log_.find(needle) != std::string::npos; });
}

}  // namespace ambit::test
