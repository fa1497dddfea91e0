#pragma once
// The sdk::Projects service other plugins use: lifecycle steps, and projects
// resolved with the ownership check done once, here.

#include "ambit/sdk/projects.hpp"
#include "caches.hpp"
#include "provisioner.hpp"

namespace projects {

class ProjectsService final : public ambit::sdk::Projects {
 public:
  ProjectsService(ambit::sdk::Context& ctx, Caches& caches, Provisioner& provisioner)
      : ctx_(ctx), caches_(caches), provisioner_(provisioner) {}

  void add_lifecycle_step(ambit::sdk::ProjectStep step) override { provisioner_.add_step(std::move(step)); }
  ambit::sdk::ProjectInfo resolve(const ambit::sdk::Principal& caller, const std::string& project_id) override;
  std::shared_ptr<const ambit::sdk::ProjectInfo> resolve_client(const ambit::sdk::Request& req) override;

 private:
  ambit::sdk::Context& ctx_;
  Caches& caches_;
  Provisioner& provisioner_;
};

}  // namespace projects
