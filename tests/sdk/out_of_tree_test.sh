#!/usr/bin/env bash
# The SDK as a third party uses it: install the SDK component, build
# sdk/examples/hello-plugin out of tree against it, load it into the kernel and
# call its route. Args: <build dir> <source dir> <ambit binary> <build type>
set -euo pipefail
build_dir=$1 source_dir=$2 ambit=$3 build_type=${4:-Debug}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $work/server.log ]] && cat "$work/server.log" >&2; exit 1; }

cmake --install "$build_dir" --component sdk --prefix "$work/sdk" >/dev/null
[[ -f $work/sdk/include/ambit/sdk/plugin.hpp ]] || fail "SDK headers not installed"

# Same compiler flags as the kernel build: the build signature must match.
flags=$(sed -n 's/^CMAKE_CXX_FLAGS:STRING=//p' "$build_dir/CMakeCache.txt")
launcher=$(sed -n 's/^CMAKE_CXX_COMPILER_LAUNCHER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
cmake -S "$source_dir/sdk/examples/hello-plugin" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/sdk" \
  -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_CXX_FLAGS="$flags" ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure against the installed SDK"; }
cmake --build "$work/build" -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build against the installed SDK"; }
[[ -f $work/build/plugins/hello.so ]] || fail "hello.so not built"

cat >"$work/ambit.json" <<JSON
{
  "server": {"listen": "127.0.0.1:0"},
  "data_dir": "$work/data",
  "plugin_dirs": ["$work/build/plugins"],
  "plugins": [{"name": "hello", "config": {"greeting": "Howdy"}}]
}
JSON
"$ambit" check --config "$work/ambit.json" >/dev/null 2>&1 || true  # data dir not created yet: just exercise it
"$ambit" serve --config "$work/ambit.json" 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$work/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || fail "kernel did not start with the out-of-tree plugin"

first=$(curl -sf "http://127.0.0.1:$port/hello/world")
second=$(curl -sf "http://127.0.0.1:$port/hello/world")
[[ $first == '{"data":{"message":"Howdy, world!","visits":1}}' ]] || fail "unexpected first answer: $first"
[[ $second == '{"data":{"message":"Howdy, world!","visits":2}}' ]] || fail "unexpected second answer: $second"
curl -sf "http://127.0.0.1:$port/v1/plugins" | grep -q '"name":"hello","version":"1.0.0"' || fail "hello not listed in /v1/plugins"

kill -TERM "$server_pid"
wait "$server_pid" || fail "server did not exit 0 on SIGTERM"
server_pid=""
echo "out-of-tree plugin built against the installed SDK, loaded and served"
