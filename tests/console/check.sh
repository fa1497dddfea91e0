#!/usr/bin/env bash
# ctest console.sqlite and console.postgresql: the web console (plugins/console/web)
# in headless Chromium (Debian's, driven by playwright-core) against a real server
# started here (temp data dir; on PostgreSQL a fresh database, dropped on exit),
# with an owner who has a password. node:test runs tests/console/*.test.mjs:
#   identity   sign-in (wrong password, then right), API keys (the plaintext
#              shown once and copied, gone after navigating; the key works with
#              plain HTTP, then is revoked in the UI and refused), the audit
#              log's filters, members, OAuth apps, sign-out (the old cookie is
#              refused), CSRF (a cross-origin form post and a fetch without the
#              token are refused), session fixation, clickjacking (CSP
#              frame-ancestors and X-Frame-Options, a framing page shows
#              nothing), 375 px without horizontal overflow, keyboard
#              navigation, /v1/me with the session ("session" credential)
#   projects   the project pages (projects, remote config, secrets, attestation)
# Every page is screenshotted into $AMBIT_TEST_ARTIFACTS/console-<backend>/screenshots.
#
# Usage: tests/console/check.sh AMBIT_BINARY sqlite|postgresql
# PostgreSQL needs AMBIT_TEST_PG_URL and AMBIT_TEST_PG_ADMIN_URL (scripts/test
# sets them); without them the check is skipped (exit 77), or fails when
# AMBIT_TEST_REQUIRE_PG=1. Without Chromium (AMBIT_CHROMIUM, default
# /usr/bin/chromium) it is skipped (77), or fails when AMBIT_TEST_REQUIRE_BROWSER
# is set. Needs Node.js >= 20 and npm; the packages come from package-lock.json
# (ambit_npm_tools).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${here}/../../scripts/lib/common.sh"

# shellcheck source=tests/support/check_server.sh
source "${AMBIT_ROOT}/tests/support/check_server.sh"

check_backend "$@"

chromium="${AMBIT_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x ${chromium} ]]; then
  [[ -z ${AMBIT_TEST_REQUIRE_BROWSER:-} ]] || ambit_die "AMBIT_TEST_REQUIRE_BROWSER is set but there is no Chromium at ${chromium}"
  echo "skipped: the console's tests need Chromium at ${chromium} (./scripts/test installs it)"
  exit 77
fi

check_node 20 0 "the console's browser tests"
check_work console

# npm ci runs at most once at a time per directory (ambit_npm_tools locks).
ambit_npm_tools console

# --- the server: the owner gets a password, to sign in to the console -------------------------
owner_password="console-owner-password"
check_server --password "${owner_password}"

# --- the tests ---------------------------------------------------------------------------------
mkdir -p "${CHECK_WORK}/screenshots"
CHECK_KEEP+=(screenshots)
# About 25 browser sign-ins, each an Argon2id check: a few minutes on a busy machine.
status=0
(
  cd "${CHECK_WORK}"
  AMBIT_URL="${CHECK_URL}" AMBIT_KEY="${CHECK_KEY}" \
    AMBIT_OWNER_EMAIL=owner@example.com AMBIT_OWNER_PASSWORD="${owner_password}" \
    AMBIT_SCREENSHOTS="${CHECK_WORK}/screenshots" AMBIT_CHROMIUM="${chromium}" \
    timeout 360 node --test --test-concurrency=1 --test-reporter=spec "${here}"/*.test.mjs
) || status=$?

if ! check_server_alive; then
  echo "ambit serve died during the tests"
  status=1
fi
[[ ${status} == 0 ]] || check_server_log_tail
echo "console check (${CHECK_BACKEND}): $([[ ${status} == 0 ]] && echo ok || echo FAILED)"
exit "${status}"
