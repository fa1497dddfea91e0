#include "terminal.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>

namespace ambit::cli {

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }
bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool colour_on_stdout() {
  const char* no_colour = std::getenv("NO_COLOR");
  return stdout_is_terminal() && !(no_colour && *no_colour);
}

int terminal_columns() {
  winsize w{};
  if (!stdout_is_terminal() || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) != 0) return 0;
  return w.ws_col;
}

std::string bold(const std::string& text, bool on) { return on ? "\033[1m" + text + "\033[0m" : text; }
std::string red(const std::string& text, bool on) { return on ? "\033[31m" + text + "\033[0m" : text; }

std::string read_secret(const std::string& prompt) {
  if (!stdin_is_terminal()) {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (!all.empty() && all.back() == '\n') all.pop_back();
    if (!all.empty() && all.back() == '\r') all.pop_back();
    return all;
  }
  // Echo goes off before the prompt shows, so nothing typed after it echoes;
  // TCSANOW keeps what was typed ahead (TCSAFLUSH would drop it).
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;  // the newline still shows, so the next output starts on its own line
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::cerr << prompt << std::flush;
  std::string line;
  std::getline(std::cin, line);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

void Progress::update(const std::string& text) {
  if (stderr_is_terminal()) {
    static const char* frames[] = {"|", "/", "-", "\\"};
    std::cerr << "\r\033[K" << frames[frame_++ % 4] << " " << text << std::flush;
    drawn_ = true;
  } else if (text != last_) {
    std::cerr << text << "\n";
  }
  last_ = text;
}

void Progress::done() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace ambit::cli
