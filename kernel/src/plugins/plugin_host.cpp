#include "plugins/plugin_host.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "config/json_schema.hpp"

namespace ambit::kernel {

PluginHost::~PluginHost() {
  // Objects first (reverse start order), libraries last.
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    (*it)->context.reset();
    (*it)->instance.reset();
  }
}

void PluginHost::load(const KernelConfig& config, std::vector<std::string>& problems) {
  for (auto& entry : config.plugins) {
    auto hosted = std::make_unique<HostedPlugin>();
    hosted->config_path = entry.path;
    hosted->raw_config = entry.config;
    try {
      hosted->library = load_plugin_library(entry, config.plugin_dirs);
      auto factory = hosted->library.library.get<ambit::sdk::Plugin*()>(AMBIT_PLUGIN_FACTORY_SYMBOL);
      hosted->instance.reset(factory());
      if (!hosted->instance) throw PluginLoadError("plugin \"" + entry.name + "\": factory returned null");
      boost::json::value schema = hosted->instance->config_schema();
      std::vector<std::string> schema_errors;
      check_schema(schema, entry.path + ".config(schema)", schema_errors);
      for (auto& e : schema_errors) problems.push_back("plugin \"" + entry.name + "\" declares a bad schema: " + e);
      boost::json::value filled = apply_schema(schema, entry.config, entry.path + ".config", problems);
      if (filled.is_object()) hosted->raw_config = filled.as_object();
    } catch (const PluginLoadError& e) {
      problems.push_back(e.what());
      continue;
    } catch (const std::exception& e) {
      problems.push_back("plugin \"" + entry.name + "\" failed while loading: " + e.what());
      continue;
    }
    plugins_.push_back(std::move(hosted));
  }
}

void PluginHost::order(std::vector<std::string>& problems) {
  std::map<std::string, HostedPlugin*> by_name;
  for (auto& p : plugins_) by_name[p->library.name] = p.get();
  for (auto& p : plugins_)
    for (auto& dep : p->library.descriptor.dependencies)
      if (!by_name.count(dep))
        problems.push_back(p->config_path + ": plugin \"" + p->library.name + "\" depends on \"" + dep +
                           "\", which is not in plugins");

  // Depth-first topological sort in config order; a grey node seen again is a cycle.
  std::vector<std::unique_ptr<HostedPlugin>> sorted;
  std::map<std::string, int> state;  // 0 white, 1 grey, 2 black
  std::vector<std::string> stack;
  std::map<std::string, std::unique_ptr<HostedPlugin>*> owner;
  for (auto& p : plugins_) owner[p->library.name] = &p;
  bool cycle = false;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!owner.count(name) || cycle) return;
    if (state[name] == 2) return;
    if (state[name] == 1) {
      auto from = std::find(stack.begin(), stack.end(), name);
      std::string path;
      for (auto it = from; it != stack.end(); ++it) path += *it + " -> ";
      problems.push_back("plugin dependency cycle: " + path + name);
      cycle = true;
      return;
    }
    state[name] = 1;
    stack.push_back(name);
    for (auto& dep : (*owner[name])->library.descriptor.dependencies) visit(dep);
    stack.pop_back();
    state[name] = 2;
    if (!cycle) sorted.push_back(std::move(*owner[name]));
  };
  std::vector<std::string> names;
  for (auto& p : plugins_) names.push_back(p->library.name);
  for (auto& n : names) visit(n);
  if (cycle) {
    // Keep every plugin (so the host can unload them), order irrelevant.
    for (auto& [n, p] : owner)
      if (*p) sorted.push_back(std::move(*p));
  }
  plugins_ = std::move(sorted);
}

void PluginHost::setup(Registry& registry, KernelServices& services, const std::shared_ptr<JsonLogger>& log,
                       std::vector<std::string>& problems) {
  for (auto& p : plugins_) {
    const std::string& name = p->library.name;
    p->context = std::make_unique<PluginContext>(name, p->raw_config, log->for_component(name), registry, services);
    try {
      p->instance->setup(*p->context);
    } catch (const std::exception& e) {
      problems.push_back("plugin \"" + name + "\" setup failed: " + e.what());
    }
    p->context->close_registration();
  }
}

void PluginHost::start() {
  for (auto& p : plugins_) {
    try {
      p->instance->start(*p->context);
      p->started = true;
    } catch (const std::exception& e) {
      std::string message = "plugin \"" + p->library.name + "\" failed to start: " + e.what();
      // Leave nothing half-started: stop the ones already running.
      for (auto& q : plugins_) {
        if (!q->started) continue;
        try { q->instance->stop(*q->context); } catch (...) {}
        q->started = false;
      }
      throw std::runtime_error(message);
    }
  }
}

void PluginHost::stop(sdk::Logger& log) {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    auto& p = **it;
    if (!p.started) continue;
    try {
      p.instance->stop(*p.context);
    } catch (const std::exception& e) {
      log.error("plugin stop failed", {{"plugin", p.library.name}, {"error", e.what()}});
    }
    p.started = false;
  }
}

}  // namespace ambit::kernel
