#!/usr/bin/env bash
# The SDK as a third party uses it: install the SDK component, build
# sdk/examples/hello-plugin out of tree against it, load it into the kernel and
# call its route. Args: <build dir> <source dir> <ambit binary> <build type>
set -euo pipefail
build_dir=$1 source_dir=$2 ambit=$3 build_type=${4:-Debug}
# shellcheck source=tests/sdk/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sdk_test_init

cmake --install "$build_dir" --component sdk --prefix "$work/sdk" >/dev/null
[[ -f $work/sdk/include/ambit/sdk/plugin.hpp ]] || fail "SDK headers not installed"

toolchain_args "$build_dir" "$build_type"
build_example "$source_dir/sdk/examples/hello-plugin" "$work/sdk" "$work/build" "the installed SDK"

write_hello_config "$work/ambit.json" "$work/build/plugins"
"$ambit" check --config "$work/ambit.json" >/dev/null 2>&1 || true  # data dir not created yet: just exercise it
start_server "$ambit" "$work/ambit.json" "the out-of-tree plugin"
check_hello >/dev/null
stop_server
echo "out-of-tree plugin built against the installed SDK, loaded and served"
