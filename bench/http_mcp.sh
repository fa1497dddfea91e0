#!/usr/bin/env bash
# Scenario "mcp": the MCP tool call amba_me_get (POST /mcp tools/call in an
# open session: JSON-RPC, session lookup, the operation through the same
# pipeline as HTTP, the result as structuredContent and text) against the
# same operation over REST, GET /v1/me, on one server in one run, with one
# API key. Target: mcp >= 0.8x rest.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

main() {
  bench_init
  local key session
  key="$(bench_ambit bootstrap --config "${BENCH_DIR}/bench-mcp.json" --email bench@example.com |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  [[ -n ${key} ]] || { ambit_error "bootstrap printed no key"; return 1; }
  bench_start_ambit "${BENCH_DIR}/bench-mcp.json"
  session="$(curl -s -D - -o /dev/null -X POST "${BENCH_AMBIT_URL}/mcp" -H "Authorization: Bearer ${key}" \
    -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' |
    tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')"
  [[ -n ${session} ]] || { ambit_error "initialize answered no Mcp-Session-Id"; return 1; }
  BENCH_MCP_SESSION="${session}" BENCH_LABEL_A=mcp BENCH_LABEL_B=rest \
    bench_pair mcp "${BENCH_AMBIT_URL}/mcp" "${BENCH_AMBIT_URL}/v1/me" \
    -H "Authorization: Bearer ${key}" -s "${BENCH_DIR}/mcp_call.lua"
}

main "$@"
