#pragma once
// sdk::Operations: the deployment's operations as tools, listed for a caller
// and invoked on its behalf through the dispatcher (the same path as HTTP).

#include <atomic>

#include "ambit/sdk/operation.hpp"
#include "http/router.hpp"

namespace ambit::kernel {

class Dispatcher;

class ToolRegistry final : public sdk::Operations {
 public:
  explicit ToolRegistry(const Router& router) : router_(router) {}
  /// Set once serving is wired up; invoke answers 503 before.
  void attach(Dispatcher* dispatcher) { dispatcher_.store(dispatcher); }

  boost::json::array tools(const sdk::Principal& caller) const override;
  /// `all`: also the tools `caller` lacks the scope for, each with "permitted".
  boost::json::array tools(const sdk::Principal& caller, bool all) const;
  sdk::Response invoke(std::string_view id, const sdk::Principal& caller, const boost::json::object& arguments) override;
  sdk::Response invoke_tool(std::string_view id, const sdk::Principal& caller, const boost::json::object& arguments,
                            std::string_view tool) override;
  const sdk::Completion* completion(std::string_view id) const override { return router_.find_completion(id); }

 private:
  const Router& router_;
  std::atomic<Dispatcher*> dispatcher_{nullptr};  ///< plugins' own threads may call invoke at any time
};

/// GET /v1/tools: the tools the caller's credential may call.
void register_tools_route(Router& router, const ToolRegistry& tools);

}  // namespace ambit::kernel
