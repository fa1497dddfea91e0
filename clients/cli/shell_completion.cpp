#include "shell_completion.hpp"

namespace ambit::cli {

std::string completion_script(const std::string& shell) {
  if (shell == "zsh")
    return R"sh(#compdef ambit
# ambit completion for zsh: eval "$(ambit completion zsh)", or save it as _ambit in your $fpath
_ambit() {
  local -a candidates
  candidates=("${(@f)$(ambit __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _ambit ambit
)sh";
  return R"sh(# ambit completion for bash: eval "$(ambit completion bash)", or save it under
# /etc/bash_completion.d/ or ~/.local/share/bash-completion/completions/ambit
_ambit() {
  local IFS=$'\n'
  COMPREPLY=($(ambit __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _ambit ambit
)sh";
}

std::vector<std::string> complete_words(const CLI::App& app, const std::vector<std::string>& words) {
  const CLI::App* at = &app;
  std::string partial = words.empty() ? std::string() : words.back();
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (!words[i].empty() && words[i][0] == '-') continue;
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : const_cast<CLI::App*>(at)->get_subcommands([](CLI::App*) { return true; }))
      if (sub->get_name() == words[i]) next = sub;
    if (!next) break;  // a positional argument: stay on the command
    at = next;
  }
  std::vector<std::string> out;
  auto offer = [&](const std::string& candidate) {
    if (candidate.rfind(partial, 0) == 0) out.push_back(candidate);
  };
  if (!partial.empty() && partial[0] == '-') {
    for (const CLI::Option* opt : at->get_options())
      for (auto& name : opt->get_lnames()) offer("--" + name);
    for (const CLI::Option* opt : app.get_options())  // the client's own options work everywhere
      for (auto& name : opt->get_lnames()) offer("--" + name);
  } else {
    for (const CLI::App* sub : const_cast<CLI::App*>(at)->get_subcommands([](CLI::App*) { return true; }))
      if (!sub->get_group().empty() && sub->get_name() != "__complete") offer(sub->get_name());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ambit::cli
