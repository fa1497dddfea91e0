#pragma once
// The SDK version and the build signature a plugin is checked against.
//
// Compatibility policy (read by the kernel before any plugin code runs):
//   * same MAJOR                         -> may load
//   * plugin MINOR <= kernel MINOR       -> may load (a kernel only adds to a minor)
//   * PATCH                              -> ignored
//   * build signature must match exactly -> compiler family + major version,
//     libstdc++ ABI, Boost and SOCI versions, sanitizer and debug-container
//     flags: the things that change the layout of types crossing the boundary.
// Everything in the SDK lives in the inline namespace ambit::sdk::v1, so a
// plugin built against another major fails to link instead of corrupting memory.

// <version> defines the standard library's macros (_GLIBCXX_USE_CXX11_ABI,
// _LIBCPP_VERSION), so the signature does not depend on whether a plugin
// included a std header before this one.
#include <boost/version.hpp>
#include <soci/version.h>
#include <version>

// The one source of the SDK version: sdk/CMakeLists.txt reads these lines.
#define AMBIT_SDK_VERSION_MAJOR 1
#define AMBIT_SDK_VERSION_MINOR 9
#define AMBIT_SDK_VERSION_PATCH 0

#define AMBIT_SDK_STR_(x) #x
#define AMBIT_SDK_STR(x) AMBIT_SDK_STR_(x)

#if defined(__clang__)
#define AMBIT_SDK_COMPILER_ "clang-" AMBIT_SDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define AMBIT_SDK_COMPILER_ "gcc-" AMBIT_SDK_STR(__GNUC__)
#else
#define AMBIT_SDK_COMPILER_ "unknown"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define AMBIT_SDK_STDLIB_ "libstdc++-abi" AMBIT_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define AMBIT_SDK_STDLIB_ "libc++"
#else
#define AMBIT_SDK_STDLIB_ "stdlib-unknown"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define AMBIT_SDK_ASAN_ ";asan"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AMBIT_SDK_ASAN_ ";asan"
#endif
#endif
#ifndef AMBIT_SDK_ASAN_
#define AMBIT_SDK_ASAN_ ""
#endif

#if defined(_GLIBCXX_DEBUG)
#define AMBIT_SDK_DEBUGC_ ";glibcxx-debug"
#else
#define AMBIT_SDK_DEBUGC_ ""
#endif

/// The build signature: computed in each translation unit from its own
/// compiler's macros, so a plugin reports how *it* was built.
#define AMBIT_SDK_BUILD_SIGNATURE                                                  \
  AMBIT_SDK_COMPILER_ ";" AMBIT_SDK_STDLIB_ ";boost-" AMBIT_SDK_STR(BOOST_VERSION) \
      ";soci-" AMBIT_SDK_STR(SOCI_VERSION) AMBIT_SDK_ASAN_ AMBIT_SDK_DEBUGC_

#if defined(_WIN32)
#define AMBIT_SDK_EXPORT __declspec(dllexport)
#else
#define AMBIT_SDK_EXPORT __attribute__((visibility("default")))
#endif
