#pragma once
// The directory sink: <root>/<project>/<function or _project>.env, mode 0600,
// written atomically (temp file, fsync, rename, fsync of the directory).
// A function's file holds the project-wide secrets plus its own, its own
// winning; lines are NAME="value" with \, ", newline and CR escaped.

#include <string>

#include "ambit/sdk/secrets.hpp"

namespace secrets {

class DirectorySink final : public ambit::sdk::SecretSink {
 public:
  explicit DirectorySink(std::string root) : root_(std::move(root)) {}
  void write(const ambit::sdk::SecretBundle& bundle) override;
  void reap(const std::string& project_id, const std::vector<std::string>& keep) override;
  /// Remove the project's directory and every file in it (the project was deleted).
  void remove_project(const std::string& project_id);

 private:
  std::string root_;
};

}  // namespace secrets
