# shellcheck shell=bash
# Shared by the SDK tests (out_of_tree_test.sh, previous_release_test.sh):
# a temporary work directory, building sdk/examples/hello-plugin out of tree
# with the kernel build's toolchain, and a kernel serving it.
# Source it, then call sdk_test_init.
#
# Globals: work (temporary directory, removed on exit), server_pid, port,
# toolchain (set by toolchain_args).

work=""
server_pid=""
port=""

sdk_test_cleanup() {
  if [[ -n $server_pid ]]; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n $work ]]; then rm -rf "$work"; fi
}

# Creates $work and removes it (and kills the server) on exit.
sdk_test_init() {
  work=$(mktemp -d)
  trap sdk_test_cleanup EXIT
  # Paths under $work are the same in every run but its name: relative to it,
  # a ccache launcher finds the previous run's objects.
  export CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=true
}

# Prints the message and the server's log, exits 1.
fail() {
  echo "FAIL: $*" >&2
  if [[ -n $work && -f $work/server.log ]]; then
    echo "--- server log" >&2
    cat "$work/server.log" >&2
  fi
  exit 1
}

# cmake_cache_value <build dir> <variable>: the variable's value in the cache (any type), or nothing.
cmake_cache_value() {
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" | head -n 1
}

# toolchain_args <build dir> <build type>: fills the array `toolchain` with the
# -D options that give an out-of-tree build the kernel build's compiler, flags
# and launcher. The build signature (version.hpp) must match the kernel's.
toolchain_args() {
  local build_dir=$1 build_type=$2 compiler flags type_flags launcher
  [[ -f $build_dir/CMakeCache.txt ]] || fail "no CMakeCache.txt in $build_dir"
  compiler=$(cmake_cache_value "$build_dir" CMAKE_CXX_COMPILER)
  flags=$(cmake_cache_value "$build_dir" CMAKE_CXX_FLAGS)
  launcher=$(cmake_cache_value "$build_dir" CMAKE_CXX_COMPILER_LAUNCHER)
  # The kernel's CMakeLists sets the launcher to ccache when it finds one.
  [[ -n $launcher ]] || launcher=$(cmake_cache_value "$build_dir" CCACHE_PROGRAM)
  [[ $launcher == *-NOTFOUND ]] && launcher=""
  toolchain=(-DCMAKE_CXX_FLAGS="$flags")
  [[ -n $compiler ]] && toolchain+=(-DCMAKE_CXX_COMPILER="$compiler")
  [[ -n $launcher ]] && toolchain+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
  if [[ -n $build_type ]]; then
    toolchain+=(-DCMAKE_BUILD_TYPE="$build_type")
    type_flags=$(cmake_cache_value "$build_dir" "CMAKE_CXX_FLAGS_${build_type^^}")
    [[ -n $type_flags ]] && toolchain+=("-DCMAKE_CXX_FLAGS_${build_type^^}=$type_flags")
  fi
  return 0
}

# build_example <example source dir> <SDK prefix> <binary dir> <what>: configures
# and builds the example plugin against the SDK installed in <SDK prefix>
# (toolchain_args first); <binary dir>/plugins/hello.so is the result.
build_example() {
  local src=$1 prefix=$2 bin=$3 what=$4
  cmake -S "$src" -B "$bin" -DCMAKE_PREFIX_PATH="$prefix" -DAmbitSDK_DIR="$prefix/lib/cmake/AmbitSDK" \
    "${toolchain[@]}" >"$work/example-configure.log" 2>&1 ||
    { cat "$work/example-configure.log" >&2; fail "configure the example plugin against $what"; }
  cmake --build "$bin" -j2 >"$work/example-build.log" 2>&1 ||
    { cat "$work/example-build.log" >&2; fail "build the example plugin against $what"; }
  [[ -f $bin/plugins/hello.so ]] || fail "hello.so not built against $what"
}

# write_hello_config <config file> <plugin dir>: a kernel config on SQLite in
# $work/data loading only hello (greeting "Howdy") from <plugin dir>.
write_hello_config() {
  cat >"$1" <<JSON
{
  "server": {"listen": "127.0.0.1:0"},
  "data_dir": "$work/data",
  "plugin_dirs": ["$2"],
  "plugins": [{"name": "hello", "config": {"greeting": "Howdy"}}]
}
JSON
}

# write_hello_mcp_config <config file> <hello dir> <first-party plugin dir>:
# the same data as write_hello_config, with API keys, the MCP server and the console.
write_hello_mcp_config() {
  cat >"$1" <<JSON
{
  "server": {"listen": "127.0.0.1:0"},
  "data_dir": "$work/data",
  "plugin_dirs": ["$2", "$3"],
  "plugins": [{"name": "hello", "config": {"greeting": "Howdy"}}, {"name": "auth-apikey"},
              {"name": "mcp", "config": {"tool_prefix": "amba"}}, {"name": "console"}]
}
JSON
}

# mcp_post <key> <session id> <JSON-RPC message>: the answer's body; fails unless 200.
mcp_post() {
  local body status
  body=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/mcp" -H "Authorization: Bearer $1" \
    -H "Mcp-Session-Id: $2" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d "$3") || fail "POST /mcp: curl failed"
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  [[ $status == 200 ]] || fail "POST /mcp $3: status $status, body: $body"
  printf '%s' "$body"
}

# mcp_initialize <key>: opens an MCP session; prints its Mcp-Session-Id.
mcp_initialize() {
  local headers id
  headers=$(curl -s --max-time 10 -D - -o /dev/null -X POST "http://127.0.0.1:$port/mcp" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sdk-test","version":"1"}}}') ||
    fail "initialize: curl failed"
  id=$(tr -d '\r' <<<"$headers" | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  [[ -n $id ]] || fail "initialize answered no Mcp-Session-Id: $headers"
  printf '%s' "$id"
}

# start_server <ambit> <config file> <what>: starts `ambit serve`, logging to
# $work/server.log, and waits (up to 60 s) for it to listen; sets port.
start_server() {
  local ambit=$1 config=$2 what=$3
  "$ambit" serve --config "$config" 2>"$work/server.log" &
  server_pid=$!
  port=""
  for _ in $(seq 1 600); do
    port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$work/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" || true
      server_pid=""
      fail "the kernel exited at start with $what"
    fi
    sleep 0.1
  done
  fail "the kernel did not listen within 60 s with $what"
}

# http_get <path>: the body of GET http://127.0.0.1:$port<path>; fails unless 200.
http_get() {
  local body status
  body=$(curl -s --max-time 10 -w '\n%{http_code}' "http://127.0.0.1:$port$1") || fail "GET $1: curl failed"
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  [[ $status == 200 ]] || fail "GET $1: status $status, body: $body"
  printf '%s' "$body"
}

# check_hello: the example's route answers twice (its visit counter in the
# database counts), and /v1/plugins lists it; prints hello's /v1/plugins entry.
check_hello() {
  local first second plugins entry
  first=$(http_get /hello/world) || exit 1
  second=$(http_get /hello/world) || exit 1
  [[ $first == '{"data":{"message":"Howdy, world!","visits":1}}' ]] || fail "unexpected first answer: $first"
  [[ $second == '{"data":{"message":"Howdy, world!","visits":2}}' ]] || fail "unexpected second answer: $second"
  plugins=$(http_get /v1/plugins) || exit 1
  # One object per plugin; hello's has no nested object ({}), only its dependency array.
  entry=$(grep -o '{"name":"hello","version":"1.0.0"[^{}]*}' <<<"$plugins") ||
    fail "hello 1.0.0 not listed in /v1/plugins: $plugins"
  printf '%s' "$entry"
}

# stop_server: SIGTERM, and the kernel must exit 0.
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || { server_pid=""; fail "the server did not exit 0 on SIGTERM"; }
  server_pid=""
}
