#pragma once
// Method + path-template routing over a segment trie. Literal segments win
// over :params; a path that exists with another method answers 405 + Allow.
// Built at startup, read-only while serving (no locks on the hot path).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ambit/sdk/http.hpp"
#include "ambit/sdk/operation.hpp"
#include "ops/metrics.hpp"

namespace ambit::kernel {

struct DeclaredOperation;

struct RouteEntry {
  sdk::RouteSpec spec;
  std::string owner;  ///< "kernel" or the plugin that registered it
  std::unique_ptr<RouteMetrics> metrics = std::make_unique<RouteMetrics>();
  std::vector<std::string> param_names;
  std::shared_ptr<const DeclaredOperation> operation;  ///< null for a route without one (SDK < 1.4)
  bool cross_origin = false;  ///< pages on any origin may call it (cross_origin.hpp)
};

class Router {
 public:
  /// Throws std::invalid_argument for a malformed template or a duplicate
  /// (method, template), naming the owner that registered it first.
  RouteEntry& add(sdk::RouteSpec spec, std::string owner);
  /// Attach operation `id` to `route` (its entry from add); throws
  /// std::invalid_argument when the id is taken.
  void index_operation(const std::string& id, RouteEntry& route);
  /// The route of operation `id`, or null.
  const RouteEntry* find_operation(std::string_view id) const;
  /// Keep how operation `completion.operation` finishes (checked by the caller).
  void add_completion(sdk::Completion completion);
  /// How operation `id` finishes, or null.
  const sdk::Completion* find_completion(std::string_view id) const;
  /// Keep how the command line shows operation `command.operation` (checked by the caller).
  void add_cli_command(sdk::CliCommand command);
  /// How the command line shows operation `id` when declared, or null.
  const sdk::CliCommand* find_cli_command(std::string_view id) const;
  /// Keep which statuses of a completion mean failure (checked by the caller).
  void add_completion_failure(sdk::CompletionFailure failure);
  /// Which statuses of operation `id`'s completion mean failure, or null.
  const sdk::CompletionFailure* find_completion_failure(std::string_view id) const;

  /// Open every route of `owner` at template `path` to pages on any origin;
  /// throws std::invalid_argument when `owner` has none there.
  void allow_cross_origin(std::string_view path, const std::string& owner);

  enum class Outcome { found, not_found, method_not_allowed };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const RouteEntry* route = nullptr;
    sdk::StringPairs params;
    std::string allow;  ///< for 405: "GET, POST"
    bool cross_origin = false;  ///< a route of the path is open to any origin (answers a preflight)
  };
  /// `segments` are the decoded path segments.
  Match match(std::string_view method, const std::vector<std::string>& segments) const;

  const std::vector<std::unique_ptr<RouteEntry>>& routes() const { return routes_; }

 private:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
    std::unique_ptr<Node> param;
    std::string param_name;
    std::map<std::string, RouteEntry*, std::less<>> methods;
  };
  /// The node of `method` at `segments`, literals first; `path_only` gets the
  /// first node that serves the path with other methods only.
  const Node* find(const Node& node, const std::vector<std::string>& segments, std::size_t i, std::string_view method,
                   std::vector<std::string_view>& values, const Node*& path_only) const;

  Node root_;
  std::vector<std::unique_ptr<RouteEntry>> routes_;
  std::map<std::string, const RouteEntry*, std::less<>> operations_;
  std::map<std::string, sdk::Completion, std::less<>> completions_;
  std::map<std::string, sdk::CliCommand, std::less<>> cli_commands_;
  std::map<std::string, sdk::CompletionFailure, std::less<>> completion_failures_;
};

}  // namespace ambit::kernel
