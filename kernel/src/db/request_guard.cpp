// guard_database_calls(): requests survive a database restart. A handler or
// authenticator that failed on a broken connection before any statement had
// run is repeated once (the pool then lends a reopened connection); any other
// connection-level failure answers 503 UNAVAILABLE with Retry-After, not 500.
#include <boost/json.hpp>

#include "db/soci_database.hpp"
#include "http/router.hpp"
#include "log/log_throttle.hpp"

namespace ambit::kernel {
namespace {

constexpr const char* kRetryAfterSeconds = "1";

// A connection-level failure seen by the guarded call: the exception says so,
// or (for handlers that translate exceptions themselves, e.g. into 500
// UPDATE_FAILED) a connection broke while the call held it.
bool failed_on_connection(const std::exception& e, const DbActivity& activity) {
  if (is_connection_error(e)) return true;
  if (!activity.connection_lost) return false;
  auto* api = dynamic_cast<const sdk::ApiError*>(&e);
  return !api || api->status() >= 500;
}

// Only the failing statement had started: nothing took effect, repeating is safe.
bool safe_to_repeat(const DbActivity& activity) { return activity.statements <= 1; }

sdk::Response unavailable_response() {
  boost::json::object err{{"code", "UNAVAILABLE"},
                          {"message", "the database is unavailable; retry shortly"},
                          {"details", {{"retry_after", 1}}}};
  auto r = sdk::Response::json(boost::json::object{{"error", std::move(err)}}, 503);
  r.with_header("Retry-After", kRetryAfterSeconds);
  return r;
}

/// Runs `call` with the guard's retry rule; `give_up` turns the final
/// connection failure into the caller's answer.
template <typename Result, typename Call, typename GiveUp>
Result run_guarded(const Call& call, const GiveUp& give_up) {
  for (int attempt = 1;; ++attempt) {
    DbActivityScope scope;
    try {
      return call(scope);
    } catch (const sdk::WouldBlock&) {
      throw;
    } catch (const std::exception& e) {
      if (!failed_on_connection(e, scope.activity())) throw;
      if (attempt == 1 && safe_to_repeat(scope.activity())) continue;
      return give_up(e);
    }
  }
}

class GuardedAuthenticator final : public sdk::Authenticator {
 public:
  GuardedAuthenticator(std::shared_ptr<sdk::Authenticator> inner, sdk::Logger& log)
      : inner_(std::move(inner)), log_(log) {}
  bool claims(std::string_view token) const override { return inner_->claims(token); }
  std::optional<sdk::AuthResult> authenticate_cached(std::string_view token) override {
    return inner_->authenticate_cached(token);
  }
  sdk::AuthResult authenticate(std::string_view token) override {
    return run_guarded<sdk::AuthResult>(
        [&](const DbActivityScope&) { return inner_->authenticate(token); },
        [&](const std::exception& e) -> sdk::AuthResult {
          std::int64_t held_back = 0;
          if (log_throttle_.allow(held_back))
            log_.warn("authentication failed: database unavailable", {{"error", e.what()}, {"also_failed", held_back}});
          throw DatabaseUnavailable(e.what());
        });
  }

 private:
  std::shared_ptr<sdk::Authenticator> inner_;
  sdk::Logger& log_;
  LogThrottle log_throttle_;
};

sdk::Handler guard_handler(sdk::Handler inner, const std::string& route, sdk::Logger& log,
                           std::shared_ptr<LogThrottle> log_throttle) {
  return [inner = std::move(inner), route, &log, log_throttle](const sdk::Request& req) {
    return run_guarded<sdk::Response>(
        [&](const DbActivityScope& scope) {
          auto response = inner(req);
          // A handler that turned the broken connection into its own 5xx answer.
          if (response.status >= 500 && scope.activity().connection_lost)
            throw DatabaseUnavailable("the handler answered " + std::to_string(response.status) +
                                      " after its database connection broke");
          return response;
        },
        [&](const std::exception& e) {
          // While the database is down every request fails: one line a second.
          std::int64_t held_back = 0;
          if (log_throttle->allow(held_back))
            log.warn("request failed: database unavailable", {{"request_id", req.request_id},
                                                               {"route", route},
                                                               {"error", e.what()},
                                                               {"also_failed", held_back}});
          return unavailable_response();
        });
  };
}

}  // namespace

void guard_database_calls(Router& router, std::vector<std::shared_ptr<sdk::Authenticator>>& authenticators,
                          sdk::Logger& log) {
  auto log_throttle = std::make_shared<LogThrottle>();  // shared by every route
  for (auto& route : router.routes())
    route->spec.handler = guard_handler(route->spec.handler, route->spec.path, log, log_throttle);
  for (auto& a : authenticators) a = std::make_shared<GuardedAuthenticator>(std::move(a), log);
}

}  // namespace ambit::kernel
