#!/usr/bin/env bash
# ctest openapi.lint: the /openapi.json of a deployment with every
# first-party plugin (config/default.json, SQLite in a temp dir) is
#   lint    linted by Redocly CLI with redocly.yaml (the `recommended` ruleset);
#   guard   complete (guard.mjs): each operation has an operationId
#           <resource>.<action>, a request body schema (POST, PUT, PATCH) and
#           a success response schema;
#   types   usable: openapi-typescript turns it into generated/api.d.ts and
#           client_check.ts (openapi-fetch) type-checks with tsc --strict;
#   client  client_check.ts, compiled, then creates a project, sets a
#           remote-config key and reads it back as an app, on that server.
#
# AMBIT_OPENAPI_STRICT=1 (the default): any failing step fails the check.
# AMBIT_OPENAPI_STRICT=0: lint, guard and types print what they find but
#   do not fail; what fails is a malformed document (Redocly with
#   redocly-structure.yaml: the OpenAPI structure and its MUSTs), types that
#   cannot be generated, or a client that fails at run time.
#
# Usage: tests/openapi/check.sh [AMBIT_BINARY]   (default: build/dev/bin/ambit)
# Needs Node.js >= 20.19 and npm (scripts/test installs them); the tools come
# from package-lock.json (ambit_npm_tools). With AMBIT_TEST_ARTIFACTS set, the
# document, the findings and the generated types are kept in
# $AMBIT_TEST_ARTIFACTS/openapi/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${here}/../../scripts/lib/common.sh"

strict="${AMBIT_OPENAPI_STRICT:-1}"
ambit="${1:-${AMBIT_ROOT}/build/dev/bin/ambit}"
bin="${here}/node_modules/.bin"

# No telemetry, update checks or banners from Redocly CLI in a test run.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_SUPPRESS_NOTIFICATIONS=true CI=true

# shellcheck source=tests/support/check_server.sh
source "${AMBIT_ROOT}/tests/support/check_server.sh"
check_backend "${ambit}" sqlite
check_node 20 19 "Redocly CLI"
check_work openapi
work="${CHECK_WORK}"

# One run at a time per work tree: npm ci and generated/ are shared.
mkdir -p "${here}/generated"
exec 9>"${here}/generated/.lock"
flock 9
ambit_npm_tools openapi

# --- the server ---------------------------------------------------------------------------------
# shellcheck disable=SC2119 # no bootstrap arguments beyond the email
check_server
url="${CHECK_URL}"
key="${CHECK_KEY}"
doc="${work}/openapi.json"
# shellcheck disable=SC2016 # JavaScript, not shell
node -e 'fetch(process.argv[1]).then(async (r) => {
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  // Indented, so that the line:column of each finding points somewhere.
  process.stdout.write(JSON.stringify(JSON.parse(await r.text()), null, 2) + "\n");
})' "${url}/openapi.json" >"${doc}" || ambit_die "GET /openapi.json failed"
ambit_log "GET ${url}/openapi.json: $(wc -c <"${doc}") bytes"

# --- the steps ----------------------------------------------------------------------------------
declare -A result=()
failed=0
# record STEP STATUS COUNTS: a failing step fails the check when COUNTS is 1.
record() {
  if [[ $2 == 0 ]]; then
    result[$1]="ok"
  elif [[ $3 == 1 ]]; then
    result[$1]="FAILED"
    failed=1
  else
    result[$1]="failed (not counted: AMBIT_OPENAPI_STRICT=0)"
  fi
}
counts() { [[ ${strict} != 0 ]] && echo 1 || echo 0; }
# redocly OUT ARGS...: Redocly CLI's output into OUT, without the boxed
# Node.js deprecation notice it prints on stderr.
redocly() {
  local out="$1" status=0
  shift
  "${bin}/redocly" "$@" >"${out}.raw" 2>&1 || status=$?
  grep -v '[║╔╚]' "${out}.raw" >"${out}" || true
  rm -f "${out}.raw"
  return "${status}"
}

ambit_log "lint: redocly lint (redocly.yaml: recommended)"
status=0
redocly "${work}/lint.txt" lint --format stylish --config "${here}/redocly.yaml" "${doc}" || status=$?
cat "${work}/lint.txt"
record lint "${status}" "$(counts)"
if [[ ${strict} == 0 ]]; then
  ambit_log "structure: redocly lint (redocly-structure.yaml: is the document malformed?)"
  status=0
  redocly "${work}/structure.txt" lint --format stylish --config "${here}/redocly-structure.yaml" "${doc}" ||
    status=$?
  cat "${work}/structure.txt"
  record structure "${status}" 1
fi

ambit_log "guard: every operation declared (operationId, request body schema, success response schema)"
status=0
node "${here}/guard.mjs" "${doc}" >"${work}/guard.txt" 2>&1 || status=$?
cat "${work}/guard.txt"
record guard "${status}" "$(counts)"

ambit_log "types: openapi-typescript, then tsc --strict on client_check.ts"
rm -rf "${here}/generated/out" "${here}/generated/api.d.ts"
status=0
# --empty-objects-unknown: {"type": "object"} without properties is any object (JSON Schema), not
# openapi-typescript's default Record<string, never>.
"${bin}/openapi-typescript" "${doc}" --empty-objects-unknown -o "${here}/generated/api.d.ts" >"${work}/generate.txt" 2>&1 ||
  status=$?
if [[ ${status} != 0 ]]; then
  cat "${work}/generate.txt"
  record types "${status}" 1
  result[client]="not run: no types"
else
  # Emits generated/out/client_check.js even with type errors (noEmitOnError is off).
  "${bin}/tsc" -p "${here}/tsconfig.json" --strict >"${work}/tsc.txt" 2>&1 || status=$?
  sed "s|^|tsc: |" "${work}/tsc.txt"
  record types "${status}" "$(counts)"
  ambit_log "client: client_check.ts against ${url}"
  status=0
  if [[ -f ${here}/generated/out/client_check.js ]]; then
    AMBIT_URL="${url}" AMBIT_KEY="${key}" node "${here}/generated/out/client_check.js" || status=$?
  else
    echo "tsc emitted no generated/out/client_check.js"
    status=1
  fi
  record client "${status}" 1
fi

if [[ -n ${AMBIT_TEST_ARTIFACTS:-} ]]; then
  mkdir -p "${AMBIT_TEST_ARTIFACTS}/openapi"
  cp "${doc}" "${work}"/*.txt "${AMBIT_TEST_ARTIFACTS}/openapi/" 2>/dev/null || true
  cp "${here}/generated/api.d.ts" "${AMBIT_TEST_ARTIFACTS}/openapi/" 2>/dev/null || true
fi

echo
echo "openapi check (AMBIT_OPENAPI_STRICT=${strict}):"
for step in lint structure guard types client; do
  [[ -n ${result[${step}]:-} ]] && printf '  %-9s %s\n' "${step}" "${result[${step}]}"
done
exit "${failed}"
