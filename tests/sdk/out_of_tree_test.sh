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

# Its operation that needs a scope is an MCP tool, with no change to the
# kernel or the mcp plugin: amba_greetings_visits, called with an API key.
write_hello_mcp_config "$work/ambit-mcp.json" "$work/build/plugins" "$build_dir/plugins"
key=$("$ambit" bootstrap --config "$work/ambit-mcp.json" --email owner@example.com --password 'a long enough password' |
  sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
[[ -n $key ]] || fail "bootstrap printed no api_key"
start_server "$ambit" "$work/ambit-mcp.json" "hello and the mcp plugin"
session=$(mcp_initialize "$key")
tools=$(mcp_post "$key" "$session" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
grep -q '"name":"amba_greetings_visits"' <<<"$tools" || fail "tools/list lacks amba_greetings_visits: $tools"
call=$(mcp_post "$key" "$session" \
  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"amba_greetings_visits","arguments":{"name":"world"}}}')
grep -q '"structuredContent":{"data":{"name":"world","visits":2}}' <<<"$call" || fail "unexpected tools/call answer: $call"
echo "its operation is the MCP tool amba_greetings_visits"

# ... and the CLI command `ambit greetings visits NAME`, with help from its schema.
cli_env=(env -u AMBIT_PROFILE HOME="$work/home" XDG_CONFIG_HOME="$work/home/config" XDG_CACHE_HOME="$work/home/cache"
  AMBIT_URL="http://127.0.0.1:$port" AMBIT_API_KEY="$key")
help=$("${cli_env[@]}" "$ambit" help greetings visits) || fail "ambit help greetings visits failed"
grep -q "How often \`name\` was greeted" <<<"$help" || fail "the command's help lacks the operation's description: $help"
answer=$("${cli_env[@]}" "$ambit" greetings visits world --output json) || fail "ambit greetings visits failed"
[[ $answer == '{"data":{"name":"world","visits":2}}' ]] || fail "unexpected CLI answer: $answer"
echo "and the CLI command ambit greetings visits"
# ... and a page in the console (SDK 1.9): a menu entry and its module, built into hello.so.
origin="http://127.0.0.1:$port"
signed=$(curl -s --max-time 10 -X POST "$origin/console/api/sign-in" -H "Origin: $origin" -H 'Content-Type: application/json' \
  -d '{"email": "owner@example.com", "password": "a long enough password"}') || fail "console sign-in: curl failed"
grep -q '"pages":\[{"title":"Greetings","script":"/hello/console.js"}\]' <<<"$signed" ||
  fail "the console session does not list the hello page: $signed"
module=$(curl -s --max-time 10 -i "$origin/hello/console.js") || fail "GET /hello/console.js: curl failed"
grep -qi '^content-type: text/javascript' <<<"$module" && grep -q 'export async function render' <<<"$module" ||
  fail "GET /hello/console.js is not the page's module: $module"
stop_server
echo "and the console page Greetings"
