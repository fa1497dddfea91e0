// version.hpp first, before any std header: the build signature must still
// name the standard library (a plugin that did this once signed itself
// "stdlib-unknown" and was refused).
#include "ambit/sdk/version.hpp"

#include <gtest/gtest.h>

#include <string_view>

TEST(SdkSignature, NamesTheStandardLibraryWhateverTheIncludeOrder) {
  constexpr std::string_view signature = AMBIT_SDK_BUILD_SIGNATURE;
  EXPECT_EQ(signature.find("stdlib-unknown"), std::string_view::npos) << signature;
  EXPECT_NE(signature.find("libstdc++-abi1"), std::string_view::npos) << signature;
}
