// step-kit: a plugin for end-to-end tests of the projects plugin's SDK hooks.
//   lifecycle step "step-kit.mark"   counts committed runs per project
//   GET /stepkit/runs/:projectId     {"runs": n, "reprovision_jobs": n}          (no auth)
//   GET /stepkit/resolve/:projectId  sdk::Projects::resolve for the caller       (any credential)
//   GET /stepkit/client              sdk::Projects::resolve_client for the caller (any credential; non-blocking route)
#include "ambit/sdk/embedded_migrations.hpp"
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/projects.hpp"

namespace sdk = ambit::sdk;
namespace json = boost::json;

namespace {

json::object info_json(const sdk::ProjectInfo& p) {
  return {{"id", p.id},         {"tenant_id", p.tenant_id}, {"name", p.name},        {"platform", p.platform},
          {"status", p.status}, {"region", p.region},       {"archived", p.archived}};
}

class StepKit final : public sdk::Plugin {
 public:
  void setup(sdk::Context& ctx) override {
    for (auto& m : sdk::embedded_migrations()) ctx.add_migration(m);
    sdk::add_project_step(ctx, {"step-kit.mark", [](const sdk::ProjectInfo& p, soci::session& tx) {
                                  tx << "INSERT INTO stepkit_runs (project_id, runs) VALUES (:p, 1)"
                                        " ON CONFLICT (project_id) DO UPDATE SET runs = stepkit_runs.runs + 1",
                                      soci::use(p.id);
                                }});
    add(ctx, "/stepkit/runs/:projectId", sdk::AuthMode::none, [&ctx](const sdk::Request& req) {
      auto s = ctx.database().session();
      int runs = 0, jobs = 0;
      std::string id = req.param("projectId"), pattern = "reprovision-" + id + "-%";
      *s << "SELECT COALESCE((SELECT runs FROM stepkit_runs WHERE project_id = :p), 0),"
            " (SELECT COUNT(*) FROM ambit_jobs WHERE id LIKE :j)",
          soci::use(id), soci::use(pattern), soci::into(runs), soci::into(jobs);
      return sdk::Response::data({{"runs", runs}, {"reprovision_jobs", jobs}});
    });
    add(ctx, "/stepkit/resolve/:projectId", sdk::AuthMode::required, [&ctx](const sdk::Request& req) {
      return sdk::Response::data(info_json(sdk::projects(ctx).resolve(req.caller(), req.param("projectId"))));
    });
    add(ctx, "/stepkit/client", sdk::AuthMode::required, /*may_block=*/false, [&ctx](const sdk::Request& req) {
      auto out = info_json(*sdk::projects(ctx).resolve_client(req));
      out["key_type"] = req.caller().role;
      out["credential_id"] = req.caller().credential_id;
      return sdk::Response::data(std::move(out));
    });
  }

 private:
  static void add(sdk::Context& ctx, std::string path, sdk::AuthMode auth, sdk::Handler h) {
    add(ctx, std::move(path), auth, true, std::move(h));
  }
  static void add(sdk::Context& ctx, std::string path, sdk::AuthMode auth, bool may_block, sdk::Handler h) {
    sdk::RouteSpec r;
    r.may_block = may_block;
    r.method = "GET";
    r.path = std::move(path);
    r.auth = auth;
    r.handler = std::move(h);
    ctx.add_route(std::move(r));
  }
};

}  // namespace

AMBIT_PLUGIN(StepKit, "step-kit", "0.1.0", "alpha", "projects SDK hook test helpers (never deploy)", "projects")
