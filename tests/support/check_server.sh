# shellcheck shell=bash
# A real server for the check scripts that drive ambit with third-party
# clients (tests/mcp/check.sh, tests/openapi/check.sh, clients/js/check.sh). Source
# scripts/lib/common.sh first, then this file:
#
#   check_backend AMBIT_BINARY sqlite|postgresql
#       sets CHECK_AMBIT, CHECK_BACKEND and CHECK_CONFIG (config/default.json
#       or config/postgres.json). Without AMBIT_TEST_PG_URL and
#       AMBIT_TEST_PG_ADMIN_URL, PostgreSQL is skipped (exit 77), or fails
#       when AMBIT_TEST_REQUIRE_PG=1.
#   check_work NAME
#       makes CHECK_WORK (a temp dir) and the EXIT trap that stops the server,
#       drops its database, keeps server.log and the paths in CHECK_KEEP
#       (relative to CHECK_WORK) in $AMBIT_TEST_ARTIFACTS/NAME-BACKEND/ when
#       that is set, and removes CHECK_WORK.
#   check_server [BOOTSTRAP ARGS...]
#       bootstraps an owner (`ambit bootstrap --email owner@example.com ARGS`)
#       in a fresh data dir (on PostgreSQL, a fresh database) and starts
#       `ambit serve` on 127.0.0.1:0. Sets CHECK_URL, CHECK_KEY (the owner's
#       API key) and CHECK_SERVER_PID.
#   check_node MAJOR MINOR WHO
#       dies unless node is there and at least MAJOR.MINOR (WHO needs it).
#   check_server_alive     false when the server has died
#   check_server_log_tail  the last 80 lines of its log

# shellcheck disable=SC2034 # CHECK_KEY, CHECK_KEEP: for the sourcing script
CHECK_KEEP=()
CHECK_SERVER_PID=""
CHECK_PG_DB=""
CHECK_KEY=""

check_backend() {
  CHECK_AMBIT="${1:?usage: check.sh AMBIT_BINARY sqlite|postgresql}"
  CHECK_BACKEND="${2:?usage: check.sh AMBIT_BINARY sqlite|postgresql}"
  [[ -x ${CHECK_AMBIT} ]] || ambit_die "no ambit binary at ${CHECK_AMBIT}"
  case "${CHECK_BACKEND}" in
    sqlite) CHECK_CONFIG="${AMBIT_ROOT}/config/default.json" ;;
    postgresql) CHECK_CONFIG="${AMBIT_ROOT}/config/postgres.json" ;;
    *) ambit_die "backend must be sqlite or postgresql, not ${CHECK_BACKEND}" ;;
  esac
  if [[ ${CHECK_BACKEND} == postgresql && (-z ${AMBIT_TEST_PG_URL:-} || -z ${AMBIT_TEST_PG_ADMIN_URL:-}) ]]; then
    if [[ -n ${AMBIT_TEST_REQUIRE_PG:-} ]]; then
      ambit_die "AMBIT_TEST_REQUIRE_PG is set but AMBIT_TEST_PG_URL / AMBIT_TEST_PG_ADMIN_URL are not"
    fi
    echo "skipped: PostgreSQL tests need AMBIT_TEST_PG_URL and AMBIT_TEST_PG_ADMIN_URL (./scripts/test sets them)"
    exit 77
  fi
}

check_node() {
  command -v node >/dev/null 2>&1 || ambit_die "node not found (scripts/test installs nodejs and npm)"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number), [x, y] = process.argv.slice(1).map(Number);
    process.exit(a > x || (a === x && b >= y) ? 0 : 1)' "$1" "$2" ||
    ambit_die "Node.js $(node --version) is too old for $3 (>= $1.$2)"
}

check_psql_admin() {
  local psql="psql"
  [[ -x ${AMBIT_PG_BIN}/psql ]] && psql="${AMBIT_PG_BIN}/psql"
  "${psql}" -X -q -v ON_ERROR_STOP=1 "${AMBIT_TEST_PG_ADMIN_URL}" "$@"
}

# shellcheck disable=SC2317 # called by the EXIT trap
check_cleanup() {
  if [[ -n ${CHECK_SERVER_PID} ]]; then
    kill "${CHECK_SERVER_PID}" 2>/dev/null || true
    wait "${CHECK_SERVER_PID}" 2>/dev/null || true
  fi
  if [[ -n ${CHECK_PG_DB} ]]; then
    check_psql_admin -c "DROP DATABASE IF EXISTS ${CHECK_PG_DB} WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [[ -n ${AMBIT_TEST_ARTIFACTS:-} ]]; then
    local kept="${AMBIT_TEST_ARTIFACTS}/${CHECK_NAME}-${CHECK_BACKEND}" path
    mkdir -p "${kept}"
    for path in server.log "${CHECK_KEEP[@]}"; do
      cp -r "${CHECK_WORK}/${path}" "${kept}/" 2>/dev/null || true
    done
  fi
  rm -rf "${CHECK_WORK}"
}

check_work() {
  CHECK_NAME="$1"
  CHECK_WORK="$(mktemp -d -t "ambit-${CHECK_NAME}.XXXXXX")"
  trap check_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

check_server() {
  export AMBIT_DATA_DIR="${CHECK_WORK}/data" AMBIT_LISTEN="127.0.0.1:0"
  unset AMBIT_DATABASE_URL
  if [[ ${CHECK_BACKEND} == postgresql ]]; then
    CHECK_PG_DB="ambit_${CHECK_NAME//[^a-z]/_}_$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
    check_psql_admin -c "CREATE DATABASE ${CHECK_PG_DB} OWNER ambit" >/dev/null ||
      ambit_die "cannot create database ${CHECK_PG_DB}"
    export AMBIT_DATABASE_URL="${AMBIT_TEST_PG_URL%/*}/${CHECK_PG_DB}"
  fi
  mkdir -m 700 "${AMBIT_DATA_DIR}"
  local boot
  boot="$(timeout 30 "${CHECK_AMBIT}" bootstrap --config "${CHECK_CONFIG}" --email owner@example.com "$@" \
    2>"${CHECK_WORK}/bootstrap.err")" || {
    cat "${CHECK_WORK}/bootstrap.err" >&2
    ambit_die "ambit bootstrap failed"
  }
  CHECK_KEY="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).api_key)' "${boot}")"
  "${CHECK_AMBIT}" serve --config "${CHECK_CONFIG}" 2>"${CHECK_WORK}/server.log" &
  CHECK_SERVER_PID=$!
  CHECK_URL=""
  local i
  for ((i = 0; i < 300; i++)); do
    CHECK_URL="$(grep -m1 '"msg":"listening"' "${CHECK_WORK}/server.log" | grep -o '"public_url":"[^"]*"' | cut -d'"' -f4 || true)"
    [[ -n ${CHECK_URL} ]] && break
    check_server_alive || { cat "${CHECK_WORK}/server.log" >&2; ambit_die "ambit serve exited"; }
    sleep 0.1
  done
  [[ -n ${CHECK_URL} ]] || { cat "${CHECK_WORK}/server.log" >&2; ambit_die "ambit serve did not listen within 30 s"; }
  ambit_log "ambit serve (${CHECK_BACKEND}) at ${CHECK_URL}"
}

check_server_alive() { kill -0 "${CHECK_SERVER_PID}" 2>/dev/null; }

check_server_log_tail() {
  echo "--- server log (last 80 lines) ---"
  tail -n 80 "${CHECK_WORK}/server.log"
}
