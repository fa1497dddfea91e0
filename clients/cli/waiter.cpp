#include "waiter.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include "exit_codes.hpp"
#include "terminal.hpp"
#include "tool_request.hpp"

namespace json = boost::json;

namespace ambit::cli {
namespace {

const json::value* at(const json::value& doc, const json::value* pointer) {
  if (!pointer || !pointer->is_string()) return nullptr;
  boost::system::error_code ec;
  const json::value* v = doc.find_pointer(pointer->as_string(), ec);
  return ec ? nullptr : v;
}

bool listed(const json::value* list, const std::string& status) {
  if (!list || !list->is_array()) return false;
  for (auto& s : list->as_array())
    if (s.is_string() && s.as_string() == status) return true;
  return false;
}

}  // namespace

int wait_for_completion(Session& session, const ToolCatalog& catalog, const json::object& completion,
                        const json::object& input, const HttpResponse& answer, int timeout_seconds) {
  std::string poll_id(completion.at("poll").as_string());
  const json::object* poll = catalog.find(poll_id);
  if (!poll) throw CliError(kAuth, "cannot wait: this credential may not call " + poll_id);
  json::value sources = {{"input", input}, {"output", json::parse(answer.body)}};
  json::object args;
  for (auto& [name, pointer] : completion.at("arguments").as_object())
    if (auto* v = at(sources, &pointer); v && !v->is_null()) args[name] = *v;

  Progress progress;
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(timeout_seconds);
  std::string status;
  while (true) {
    auto r = call_tool(session, *poll, args);
    if (r.status < 200 || r.status > 299) {
      progress.done();
      throw api_error(r);
    }
    auto body = json::parse(r.body);
    auto* s = at(body, completion.if_contains("status"));
    status = s && s->is_string() ? std::string(s->as_string()) : std::string();
    if (listed(completion.if_contains("failed"), status)) {
      progress.done();
      auto* reason = at(body, completion.if_contains("reason"));
      std::string why = reason && reason->is_string() ? std::string(reason->as_string()) : "no reason given";
      throw CliError(kFailed, status + ": " + why);
    }
    if (!listed(completion.if_contains("pending"), status)) break;
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    if (std::chrono::steady_clock::now() >= deadline) {
      progress.done();
      throw CliError(kFailed, "still " + status + " after " + std::to_string(waited) + " s (--wait-timeout)");
    }
    progress.update(status + " (" + std::to_string(waited) + " s)");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  progress.done();
  std::cerr << "Done: " << status << "\n";
  return kOk;
}

}  // namespace ambit::cli
