#pragma once
// What the CLI asks of the terminal: is there one, may it colour, read a
// secret without echo, show progress.

#include <string>

namespace ambit::cli {

bool stdin_is_terminal();
bool stdout_is_terminal();
bool stderr_is_terminal();
/// Colour on stdout: a terminal, and NO_COLOR (https://no-color.org) unset.
bool colour_on_stdout();
/// Columns of the terminal on stdout, or 0 when it is not one.
int terminal_columns();

/// `text` in bold / red when `on`.
std::string bold(const std::string& text, bool on);
std::string red(const std::string& text, bool on);

/// A secret: on a terminal, `prompt` on stderr and the line typed with echo
/// off; otherwise all of stdin, less one trailing newline.
std::string read_secret(const std::string& prompt);
/// One line of stdin, without its newline (an API key piped in).
std::string read_stdin_line();

/// Progress on stderr while waiting: a spinner line redrawn on a terminal,
/// a line per change otherwise.
class Progress {
 public:
  void update(const std::string& text);
  void done();

 private:
  std::string last_;
  int frame_ = 0;
  bool drawn_ = false;
};

}  // namespace ambit::cli
