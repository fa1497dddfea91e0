#pragma once
// Shell completion: `ambit completion bash|zsh` prints a script that asks
// `ambit __complete WORDS...` for the candidates, so commands that come
// from the server (the cached tool list) complete too.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ambit::cli {

/// The script for `shell` ("bash" or "zsh").
std::string completion_script(const std::string& shell);

/// The candidates for the last of `words` (possibly ""), after the ones
/// before it: subcommands, or the flags of the command they name.
std::vector<std::string> complete_words(const CLI::App& app, const std::vector<std::string>& words);

}  // namespace ambit::cli
