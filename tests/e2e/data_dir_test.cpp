// The data directory (database, master key, runtime secrets) is the owner's
// only: a new one is created 0700, and an existing one that others could
// read is narrowed to 0700 at start.
#include <sys/stat.h>

#include "e2e_util.hpp"

using namespace ambit::test;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST(DataDir, IsCreatedOwnerOnly) {
  TempDir dir;
  auto config = write_config(dir, e2e_config(dir, sqlite_url(dir)));
  ServerProcess server(config);
  EXPECT_EQ(mode_of(dir.path() / "data"), 0700u);
  EXPECT_EQ(mode_of(dir.path() / "data" / "master.key"), 0600u);
}

TEST(DataDir, AnExistingDirectoryOpenToOthersIsNarrowedAtStart) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "data");
  ::chmod((dir.path() / "data").c_str(), 0755);
  auto config = write_config(dir, e2e_config(dir, sqlite_url(dir)));
  ServerProcess server(config);
  EXPECT_EQ(mode_of(dir.path() / "data"), 0700u);
  EXPECT_NE(server.log().find("data_dir was open to other users"), std::string::npos) << server.log();
}

}  // namespace
