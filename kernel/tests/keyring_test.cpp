#include "keyring/keyring.hpp"

#include <soci/soci.h>
#include <sys/stat.h>

#include <fstream>

#include "db_fixture.hpp"
#include "util/system_clock.hpp"

using namespace ambit;
using ambit::test::DbTest;

class KeyringTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    migrate_kernel();
  }
  kernel::SystemClock clock;
};

TEST_P(KeyringTest, SealOpenRoundTripBindsPurposeAndAad) {
  kernel::Keyring k(*db, {kernel::MasterKey::generate()}, clock);
  std::string sealed = k.seal("secrets", "hunter2", "row-1");
  EXPECT_EQ(sealed.rfind("v1.dk-", 0), 0u);
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  EXPECT_EQ(k.open("secrets", sealed, "row-1"), "hunter2");
  EXPECT_NE(k.seal("secrets", "hunter2", "row-1"), sealed);  // fresh nonce each time
  EXPECT_THROW(k.open("secrets", sealed, "row-2"), std::runtime_error);
  EXPECT_THROW(k.open("other", sealed, "row-1"), std::runtime_error);
}

TEST_P(KeyringTest, DetectsTampering) {
  kernel::Keyring k(*db, {kernel::MasterKey::generate()}, clock);
  std::string sealed = k.seal("p", "some plaintext", "");
  std::string tampered = sealed;
  char& c = tampered[tampered.size() - 5];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_THROW(k.open("p", tampered, ""), std::runtime_error);
  EXPECT_THROW(k.open("p", "v1.dk-unknown.AAAA", ""), std::runtime_error);
  EXPECT_THROW(k.open("p", "garbage", ""), std::runtime_error);
}

TEST_P(KeyringTest, DataKeysSurviveRestartAndRotationButNotAWrongMaster) {
  auto master = kernel::MasterKey::generate();
  std::string sealed;
  std::vector<std::uint8_t> pepper;
  {
    kernel::Keyring k(*db, {master}, clock);
    sealed = k.seal("p", "value", "aad");
    pepper = k.derive_key("p", "pepper", 32);
    EXPECT_EQ(pepper.size(), 32u);
    EXPECT_NE(k.derive_key("p", "other", 32), pepper);
  }
  auto next = kernel::MasterKey::generate();
  {
    kernel::Keyring k(*db, {master}, clock);
    EXPECT_EQ(k.rewrap_all(next), 1);
  }
  {
    kernel::Keyring k(*db, {next}, clock);  // a fresh process with only the new key
    EXPECT_EQ(k.open("p", sealed, "aad"), "value");
    EXPECT_EQ(k.derive_key("p", "pepper", 32), pepper);
    auto s = db->session();
    std::string kid;
    *s << "SELECT master_kid FROM ambit_data_keys", soci::into(kid);
    EXPECT_EQ(kid, next.kid);
  }
  {
    kernel::Keyring k(*db, {master}, clock);  // the retired key no longer opens anything
    try {
      k.open("p", sealed, "aad");
      FAIL();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("which is not configured"), std::string::npos) << e.what();
    }
  }
}

AMBIT_INSTANTIATE_DB_TEST(KeyringTest);

TEST(MasterKey, KeyFileIsCreated0600AndRefusedWhenOpen) {
  test::TempDir dir;
  auto created = kernel::load_or_create_master_key("", dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(kernel::master_key_path(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(kernel::load_or_create_master_key("", dir.path()).kid, created.kid);
  ::chmod(kernel::master_key_path(dir.path()).c_str(), 0644);
  EXPECT_THROW(kernel::load_or_create_master_key("", dir.path()), std::runtime_error);
}

TEST(MasterKey, EnvironmentKeyMustBe32BytesOfBase64) {
  test::TempDir dir;
  auto k = kernel::MasterKey::generate();
  EXPECT_EQ(kernel::load_or_create_master_key(k.to_base64(), dir.path()).kid, k.kid);
  EXPECT_FALSE(std::filesystem::exists(kernel::master_key_path(dir.path())));
  try {
    kernel::load_or_create_master_key("c2hvcnQ=", dir.path());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "AMBIT_MASTER_KEY: expected base64 of 32 bytes, got 5 bytes");
  }
}
