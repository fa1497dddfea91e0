# shellcheck shell=bash
# Shared helpers for ambit's scripts. Source it; do not execute it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Functions:
#   ambit_log MSG...              progress line on stderr
#   ambit_error MSG...            error line on stderr
#   ambit_die MSG...              error line on stderr, exit 1
#   ambit_as_root CMD...          run CMD as root (sudo only when not root)
#   ambit_install_deps [PKG...]   apt-get install what is missing (base + PKG)
#   ambit_build PRESET            configure (first time) and build a preset
#   ambit_npm_tools [DIR...]      npm ci in tests/DIR or clients/js (default: all four) when needed (OpenAPI tools, /docs renderer, MCP clients, the JS SDK's tools, the console's browser tests)
#   ambit_free_port               print a free TCP port on 127.0.0.1
#   ambit_pg_start / ambit_pg_stop  throwaway PostgreSQL 15 on loopback

# Repository root, whatever the caller's working directory.
AMBIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export AMBIT_ROOT

# Debian 12 packages the build and the tests need. Versioned Boost (1.81)
# on purpose: the unversioned packages are 1.74 and conflict with it.
# libpq-dev is listed but only ever installed when missing: naming an
# installed libpq-dev on the apt line upgrades the PostgreSQL server.
AMBIT_BASE_PACKAGES=(
  cmake g++ make ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libbotan-2-dev libpq-dev libssl-dev
  libgtest-dev libsqlite3-dev libspdlog-dev libcli11-dev libvalijson-dev json-schema-test-suite
)
# Extra packages, passed to ambit_install_deps by the scripts that need them.
# shellcheck disable=SC2034
AMBIT_PG_PACKAGES=(postgresql-15)
# shellcheck disable=SC2034
AMBIT_BENCH_PACKAGES=(nginx wrk curl)
# The consent page's test drives a headless browser.
# shellcheck disable=SC2034
AMBIT_BROWSER_PACKAGES=(chromium)
AMBIT_PG_BIN="${AMBIT_PG_BIN:-/usr/lib/postgresql/15/bin}"

ambit_log() {
  printf '==> %s\n' "$*" >&2
}

ambit_error() {
  printf 'error: %s\n' "$*" >&2
}

ambit_die() {
  ambit_error "$@"
  exit 1
}

ambit_as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    ambit_die "need root (or sudo) to run: $*"
  fi
}

# True when the Debian package is fully installed (not just known to dpkg,
# e.g. removed with its config files left behind).
ambit_pkg_installed() {
  local status
  # No pipe into `grep -q`: with pipefail, an early grep exit could fail dpkg.
  status="$(dpkg -s "$1" 2>/dev/null)" || return 1
  [[ ${status} == *$'\nStatus: install ok installed\n'* ]]
}

# Prints, one a line, the packages of "$@" that are not installed.
ambit_missing_packages() {
  local pkg
  for pkg in "$@"; do
    ambit_pkg_installed "${pkg}" || printf '%s\n' "${pkg}"
  done
}

# Installs the base packages plus any given as arguments, but only those
# that are missing; runs `apt-get update` once, and only when needed.
ambit_install_deps() {
  local -a missing
  mapfile -t missing < <(ambit_missing_packages "${AMBIT_BASE_PACKAGES[@]}" "$@")
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  ambit_log "installing missing packages: ${missing[*]}"
  ambit_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  ambit_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ambit_setup_ccache() {
  export CCACHE_DIR="${CCACHE_DIR:-${AMBIT_ROOT}/.cache/ccache}"
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
  mkdir -p "${CCACHE_DIR}"
}

# True when build/PRESET holds a finished configure step.
ambit_is_configured() {
  local dir="${AMBIT_ROOT}/build/$1"
  [[ -f ${dir}/CMakeCache.txt ]] && { [[ -f ${dir}/Makefile ]] || [[ -f ${dir}/build.ninja ]]; }
}

# Configures build/PRESET the first time, then builds it (incrementally).
ambit_build() {
  local preset="${1:?usage: ambit_build PRESET}"
  ambit_setup_ccache
  (
    cd "${AMBIT_ROOT}" || exit
    if ! ambit_is_configured "${preset}"; then
      ambit_log "configuring preset ${preset}"
      cmake --preset "${preset}"
    fi
    ambit_log "building preset ${preset}"
    cmake --build --preset "${preset}" -j"$(nproc)"
  )
}

# The npm tools of tests/openapi (Redocly CLI, openapi-typescript, tsc, and
# swagger-ui-dist, which the build copies for GET /docs), of tests/mcp (the
# MCP TypeScript SDK, the MCP conformance suite and the Node 22 it runs on)
# and of clients/js (tsc, Node's types and playwright-core for the JS SDK's
# tests), each installed from its package-lock.json when node_modules is
# missing or older than the lockfile. No install scripts (each directory's
# .npmrc). One npm ci at a time per directory (a lock on its
# package-lock.json: tests that call this run in parallel). Needs npm.
# Arguments name the directories: a bare name is under tests/ (scripts/run
# needs only openapi), a name with a slash is under the repository root
# (clients/js); without arguments, all of them (scripts/test installs them
# before the tests run).
ambit_npm_fresh() {
  [[ -f $1/node_modules/.package-lock.json && ! $1/package-lock.json -nt $1/node_modules/.package-lock.json ]]
}
ambit_npm_tools() {
  local name dir
  local -a names=("$@")
  ((${#names[@]})) || names=(openapi mcp clients/js console)
  for name in "${names[@]}"; do
    if [[ ${name} == */* ]]; then dir="${AMBIT_ROOT}/${name}"; else dir="${AMBIT_ROOT}/tests/${name}"; fi
    ambit_npm_fresh "${dir}" && continue
    command -v npm >/dev/null 2>&1 || { ambit_error "npm not found (apt-get install nodejs npm)"; return 1; }
    (
      cd "${dir}" || exit 1
      exec 8<package-lock.json
      flock 8
      ambit_npm_fresh "${dir}" && exit 0
      ambit_log "installing the npm tools of ${dir#"${AMBIT_ROOT}/"} (npm ci)"
      npm ci --no-audit --no-fund --ignore-scripts
    ) || return 1
  done
}

# Prints a TCP port that is free on 127.0.0.1 right now.
ambit_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
    return
  fi
  local port tries
  for ((tries = 0; tries < 100; tries++)); do
    port=$((20000 + RANDOM % 40000))
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      printf '%s\n' "${port}"
      return
    fi
  done
  ambit_die "no free TCP port found on 127.0.0.1"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses
# to run as root), as ourselves otherwise.
ambit_as_pg() {
  if [[ ${EUID} -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Starts a throwaway PostgreSQL server on 127.0.0.1 (trust auth, socket in
# its own temp dir, never the system cluster) with a LOGIN CREATEDB role
# `ambit` owning a database `ambit`. Exports:
#   AMBIT_TEST_PG_URL        postgresql://ambit@127.0.0.1:PORT/ambit
#   AMBIT_TEST_PG_ADMIN_URL  postgresql://postgres@127.0.0.1:PORT/postgres
#   AMBIT_PG_ROOT, AMBIT_PG_PORT  (for ambit_pg_stop)
# Call ambit_pg_stop from an EXIT trap.
ambit_pg_start() {
  if [[ ! -x ${AMBIT_PG_BIN}/initdb ]]; then
    ambit_error "${AMBIT_PG_BIN}/initdb not found (install postgresql-15)"
    return 1
  fi
  AMBIT_PG_ROOT="$(mktemp -d -t ambit-pg.XXXXXX)"
  export AMBIT_PG_ROOT
  if [[ ${EUID} -eq 0 ]]; then
    install -d -o postgres -g postgres -m 700 "${AMBIT_PG_ROOT}"
  fi
  if ! ambit_as_pg "${AMBIT_PG_BIN}/initdb" -D "${AMBIT_PG_ROOT}/data" -U postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"${AMBIT_PG_ROOT}/initdb.log" 2>&1; then
    cat "${AMBIT_PG_ROOT}/initdb.log" >&2
    ambit_pg_stop
    ambit_error "initdb failed"
    return 1
  fi
  local tries
  for ((tries = 1; ; tries++)); do
    AMBIT_PG_PORT="$(ambit_free_port)"
    if ambit_as_pg "${AMBIT_PG_BIN}/pg_ctl" -D "${AMBIT_PG_ROOT}/data" \
      -l "${AMBIT_PG_ROOT}/server.log" -w -t 30 \
      -o "-p ${AMBIT_PG_PORT} -k ${AMBIT_PG_ROOT} -c listen_addresses=127.0.0.1" \
      start >>"${AMBIT_PG_ROOT}/pg_ctl.log" 2>&1; then
      break
    fi
    if ((tries >= 3)); then
      cat "${AMBIT_PG_ROOT}/pg_ctl.log" "${AMBIT_PG_ROOT}/server.log" >&2 2>/dev/null || true
      ambit_pg_stop
      ambit_error "PostgreSQL did not start"
      return 1
    fi
  done
  export AMBIT_PG_PORT
  if ! ambit_as_pg "${AMBIT_PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "${AMBIT_PG_PORT}" -U postgres -d postgres \
    -c 'CREATE ROLE ambit LOGIN CREATEDB' \
    -c 'CREATE DATABASE ambit OWNER ambit' >>"${AMBIT_PG_ROOT}/psql.log" 2>&1; then
    cat "${AMBIT_PG_ROOT}/psql.log" >&2
    ambit_pg_stop
    ambit_error "could not create the ambit role and database"
    return 1
  fi
  export AMBIT_TEST_PG_URL="postgresql://ambit@127.0.0.1:${AMBIT_PG_PORT}/ambit"
  export AMBIT_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:${AMBIT_PG_PORT}/postgres"
}

# Stops the server ambit_pg_start started and removes its temp dir. Quiet,
# idempotent, safe in an EXIT trap (also after a failed start).
ambit_pg_stop() {
  local root="${AMBIT_PG_ROOT:-}"
  [[ -n ${root} && -d ${root} ]] || return 0
  if [[ -f ${root}/data/postmaster.pid ]]; then
    ambit_as_pg "${AMBIT_PG_BIN}/pg_ctl" -D "${root}/data" -m fast -w -t 30 stop \
      >>"${root}/pg_ctl.log" 2>&1 ||
      ambit_as_pg "${AMBIT_PG_BIN}/pg_ctl" -D "${root}/data" -m immediate -w stop \
        >>"${root}/pg_ctl.log" 2>&1 || true
  fi
  rm -rf "${root}"
  unset AMBIT_PG_ROOT AMBIT_PG_PORT AMBIT_TEST_PG_URL AMBIT_TEST_PG_ADMIN_URL
}
