#!/usr/bin/env bash
# SDK 1.x compatibility: a plugin built against an older minor still loads and
# serves. Takes the previous SDK release (the commit in sdk/abi-baseline) from
# git, installs that release's SDK, builds that release's
# sdk/examples/hello-plugin against it with the kernel build's toolchain, loads
# it into the kernel built from this tree and calls it.
# Args: <build dir> <source dir> <ambit binary> <build type>
# Needs the git history holding the baseline commit: without it (a shallow
# clone, a tarball) the test fails, unless AMBIT_SKIP_ABI_BASELINE=1, which
# skips it (exit 77, ctest's SKIP_RETURN_CODE).
set -euo pipefail
build_dir=$1 source_dir=$2 ambit=$3 build_type=${4:-Debug}
# shellcheck source=tests/sdk/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sdk_test_init

baseline=$(grep -v -E '^[[:space:]]*(#|$)' "$source_dir/sdk/abi-baseline" | head -n 1 | tr -d '[:space:]')
[[ $baseline =~ ^[0-9a-f]{40}$ ]] || fail "sdk/abi-baseline: expected a full commit id, found '$baseline'"

history_missing() {
  if [[ ${AMBIT_SKIP_ABI_BASELINE:-} == 1 ]]; then
    echo "SKIP: $1 (AMBIT_SKIP_ABI_BASELINE=1)"
    exit 77
  fi
  fail "$1. This test builds the previous SDK release from git history: use a clone holding that commit" \
    "(git fetch --unshallow), or set AMBIT_SKIP_ABI_BASELINE=1 to skip it"
}
git_err=$(git -C "$source_dir" cat-file -e "$baseline^{commit}" 2>&1) ||
  history_missing "the SDK baseline $baseline (sdk/abi-baseline) is not in the git history of $source_dir: ${git_err:-missing}"

# The baseline's SDK (its sdk/CMakeLists.txt installs files of its cmake/ too),
# installed through a stand-in for its top-level CMakeLists.txt.
mkdir -p "$work/old"
git -C "$source_dir" archive --format=tar "$baseline" sdk cmake | tar -x -C "$work/old" ||
  fail "git archive $baseline sdk cmake"
cat >"$work/old/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(ambit_sdk_baseline LANGUAGES CXX)
set(AMBIT_BUILD_TESTS OFF)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_SOURCE_DIR}/cmake")
include(AmbitDependencies)
add_subdirectory(sdk)
CMAKE
toolchain_args "$build_dir" "$build_type"
cmake -S "$work/old" -B "$work/old-sdk-build" "${toolchain[@]}" >"$work/sdk-configure.log" 2>&1 ||
  { cat "$work/sdk-configure.log" >&2; fail "configure the SDK of $baseline"; }
cmake --install "$work/old-sdk-build" --component sdk --prefix "$work/sdk" >/dev/null ||
  fail "install the SDK of $baseline"

sdk_version() {  # <version.hpp>: MAJOR.MINOR.PATCH
  local part out=""
  for part in MAJOR MINOR PATCH; do
    out+=$(sed -n "s/^#define AMBIT_SDK_VERSION_$part \([0-9]*\).*/\1/p" "$1").
  done
  printf '%s' "${out%.}"
}
old_version=$(sdk_version "$work/sdk/include/ambit/sdk/version.hpp")
new_version=$(sdk_version "$source_dir/sdk/include/ambit/sdk/version.hpp")
[[ $old_version =~ ^1\.[0-9]+\.[0-9]+$ ]] || fail "SDK of $baseline: version '$old_version', expected 1.x"
[[ $new_version =~ ^1\.[0-9]+\.[0-9]+$ ]] || fail "SDK of this tree: version '$new_version', expected 1.x"

build_example "$work/old/sdk/examples/hello-plugin" "$work/sdk" "$work/build" "the SDK $old_version of $baseline"

write_hello_config "$work/ambit.json" "$work/build/plugins"
start_server "$ambit" "$work/ambit.json" "the example plugin of SDK $old_version"
entry=$(check_hello) || exit 1
# It reports the SDK it was built with: the baseline's, not this tree's.
[[ $entry == *"\"sdk\":\"$old_version\""* ]] || fail "hello not reported as built with SDK $old_version: $entry"
# Its route, registered the older way, is still documented.
openapi=$(http_get /openapi.json) || exit 1
[[ $openapi == *'"/hello/{name}":'* ]] || fail "/hello/{name} missing from /openapi.json"
stop_server
echo "the example plugin of SDK $old_version ($baseline) loaded into the kernel of SDK $new_version and served"
