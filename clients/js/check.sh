#!/usr/bin/env bash
# ctest clients.js.sqlite and clients.js.postgresql: the TypeScript remote
# config SDK (clients/js) against a real server started here (temp data dir;
# on PostgreSQL a fresh database, dropped on exit). The package is built with
# tsc in a copy under the temp dir (the two backends run in parallel), then
# node:test runs the compiled tests (test/*.test.ts):
#   sse        the event stream parser (line endings split across chunks)
#   getters    typed getters and their defaults, a condition for the context
#   stream     a change reaches onChange within 1 s over the stream; revoking
#              the key ends the stream, the SDK reports it and keeps its values
#   polling    polling only (stream: false), and an older server (a proxy
#              answering 404 on the stream): changes still arrive
#   storage    a restart with the same cacheFile / storage and no server
#              serves the last values; the key is not stored
#   browser    headless Chromium (Debian's, driven by playwright-core) loads a
#              page from another origin that uses the SDK: CORS, the stream,
#              onChange, localStorage. Without Chromium it is skipped, or
#              fails when AMBIT_TEST_REQUIRE_BROWSER is set.
#
# Usage: clients/js/check.sh AMBIT_BINARY sqlite|postgresql
# PostgreSQL needs AMBIT_TEST_PG_URL and AMBIT_TEST_PG_ADMIN_URL (scripts/test
# sets them); without them the check is skipped (exit 77), or fails when
# AMBIT_TEST_REQUIRE_PG=1. Needs Node.js >= 20 and npm; the packages come from
# package-lock.json (ambit_npm_tools). With AMBIT_TEST_ARTIFACTS set, the
# server log is kept in $AMBIT_TEST_ARTIFACTS/clients-js-<backend>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${here}/../../scripts/lib/common.sh"

# shellcheck source=tests/support/check_server.sh
source "${AMBIT_ROOT}/tests/support/check_server.sh"

check_backend "$@"
check_node 20 0 "the SDK and its tests"
check_work clients-js

# npm ci runs at most once at a time per directory (ambit_npm_tools locks).
ambit_npm_tools clients/js

# --- the build: a copy of the package, so that the two backends never share an output directory --
pkg="${CHECK_WORK}/pkg"
mkdir -p "${pkg}"
cp -r "${here}/package.json" "${here}/tsconfig.json" "${here}/src" "${here}/test" "${pkg}/"
ln -s "${here}/node_modules" "${pkg}/node_modules"
ambit_log "building the SDK and its tests (tsc)"
(cd "${pkg}" && node node_modules/typescript/bin/tsc -p tsconfig.json && node node_modules/typescript/bin/tsc -p test/tsconfig.json) ||
  ambit_die "tsc failed"

# --- the server ---------------------------------------------------------------------------------
# shellcheck disable=SC2119 # no bootstrap arguments beyond the email
check_server

# --- the tests ----------------------------------------------------------------------------------
status=0
(
  cd "${CHECK_WORK}"
  AMBIT_URL="${CHECK_URL}" AMBIT_KEY="${CHECK_KEY}" \
    timeout 150 node --test --test-reporter=spec "${pkg}"/dist-test/test/*.test.js
) || status=$?

if ! check_server_alive; then
  echo "ambit serve died during the tests"
  status=1
fi
[[ ${status} == 0 ]] || check_server_log_tail
echo "clients/js check (${CHECK_BACKEND}): $([[ ${status} == 0 ]] && echo ok || echo FAILED)"
exit "${status}"
