// test-kit: a plugin for end-to-end tests of the kernel. Routes (no auth):
//   POST /testkit/jobs        {"count": n, "fail_times": k, "prefix": "p"} -> enqueue n jobs in one transaction
//   GET  /testkit/jobs/stats  runs, distinct jobs run, and job states
//   GET  /testkit/lock?ms=    hold the testkit_lock row for ms inside a transaction
//   GET  /testkit/sleep?ms=   sleep on a worker thread (no database)
//   GET  /testkit/inline[?block=1]  a non-blocking route; with block=1 it calls will_block()
#include <unistd.h>

#include <chrono>
#include <thread>

#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace {

int query_int(const sdk::Request& req, const char* name, int fallback) {
  auto v = req.query(name);
  return v ? std::stoi(*v) : fallback;
}

class TestKit final : public sdk::Plugin {
 public:
  void setup(sdk::Context& ctx) override {
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    ctx.add_job_handler("testkit.count", [&ctx](const sdk::Job& job, soci::session& tx) {
      std::int64_t fail_times = job.payload.as_object().at("fail_times").as_int64();
      if (job.attempt <= fail_times) throw std::runtime_error("planned failure " + std::to_string(job.attempt));
      std::string runner = std::to_string(::getpid());
      std::int64_t now = ctx.clock().now_ms();
      tx << "INSERT INTO testkit_runs (job_id, attempt, runner, at) VALUES (:j, :a, :r, :t)", soci::use(job.id),
          soci::use(job.attempt), soci::use(runner), soci::use(now);
    });
    add(ctx, "POST", "/testkit/jobs", [&ctx](const sdk::Request& req) {
      auto body = req.json_object();
      int count = static_cast<int>(body.at("count").as_int64());
      std::int64_t fail_times = body.contains("fail_times") ? body.at("fail_times").as_int64() : 0;
      std::string prefix = body.contains("prefix") ? std::string(body.at("prefix").as_string()) : "job";
      int created = 0;
      ctx.database().transaction([&](soci::session& tx) {
        created = 0;
        for (int i = 0; i < count; ++i) {
          sdk::JobSpec spec;
          spec.kind = "testkit.count";
          spec.payload = {{"fail_times", fail_times}};
          spec.idempotency_key = prefix + "-" + std::to_string(i);
          spec.max_attempts = 3;
          if (ctx.jobs().enqueue(tx, spec).created) ++created;
        }
      });
      return sdk::Response::data({{"enqueued", count}, {"created", created}}, 201);
    });
    add(ctx, "GET", "/testkit/jobs/stats", [&ctx](const sdk::Request&) {
      auto s = ctx.database().session();
      int runs = 0, distinct = 0, done = 0, queued = 0, running = 0, dead = 0, runners = 0;
      // One statement, one snapshot: runs and job states must agree while jobs keep completing.
      *s << "SELECT (SELECT COUNT(*) FROM testkit_runs), (SELECT COUNT(DISTINCT job_id) FROM testkit_runs),"
            " (SELECT COUNT(DISTINCT runner) FROM testkit_runs),"
            " (SELECT COUNT(*) FROM ambit_jobs WHERE kind = 'testkit.count' AND status = 'done'),"
            " (SELECT COUNT(*) FROM ambit_jobs WHERE kind = 'testkit.count' AND status = 'queued'),"
            " (SELECT COUNT(*) FROM ambit_jobs WHERE kind = 'testkit.count' AND status = 'running'),"
            " (SELECT COUNT(*) FROM ambit_jobs WHERE kind = 'testkit.count' AND status = 'dead')",
          soci::into(runs), soci::into(distinct), soci::into(runners), soci::into(done), soci::into(queued),
          soci::into(running), soci::into(dead);
      return sdk::Response::data({{"runs", runs}, {"distinct", distinct}, {"runners", runners}, {"done", done},
                                  {"queued", queued}, {"running", running}, {"dead", dead}});
    });
    add(ctx, "GET", "/testkit/lock", [&ctx](const sdk::Request& req) {
      int ms = query_int(req, "ms", 100);
      ctx.database().transaction([&](soci::session& tx) {
        tx << "UPDATE testkit_lock SET n = n + 1 WHERE id = 1";
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      });
      return sdk::Response::data({{"locked_ms", ms}});
    });
    add(ctx, "GET", "/testkit/sleep", [](const sdk::Request& req) {
      int ms = query_int(req, "ms", 100);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return sdk::Response::data({{"slept_ms", ms}});
    });
    sdk::RouteSpec inline_route;
    inline_route.method = "GET";
    inline_route.path = "/testkit/inline";
    inline_route.auth = sdk::AuthMode::none;
    inline_route.may_block = false;
    inline_route.handler = [](const sdk::Request& req) {
      bool first_on_io_thread = req.on_io_thread;
      if (req.query("block")) req.will_block();  // reruns on a worker when on the I/O thread
      return sdk::Response::data({{"on_io_thread", first_on_io_thread}});
    };
    ctx.add_route(std::move(inline_route));
  }

 private:
  static void add(sdk::Context& ctx, std::string method, std::string path, sdk::Handler h) {
    sdk::RouteSpec r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.auth = sdk::AuthMode::none;
    r.handler = std::move(h);
    ctx.add_route(std::move(r));
  }
};

}  // namespace

AMBIT_PLUGIN(TestKit, "test-kit", "0.1.0", "alpha", "kernel test helpers (never deploy)")
