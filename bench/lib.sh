# shellcheck shell=bash
# Helpers for the benchmark scenarios (bench/http_*.sh). Source it after
# scripts/lib/common.sh. A benchmark is not a test: it prints numbers and
# fails only when a server cannot be started or wrk cannot run.
#
# A scenario script looks like:
#   bench_init                                  # temp dir + cleanup trap
#   bench_start_ambit "${BENCH_DIR}/bench.json" # sets BENCH_AMBIT_URL
#   bench_start_nginx                           # sets BENCH_NGINX_URL
#   bench_mirror /healthz                       # copy ambit's body to nginx
#   bench_pair trivial "${BENCH_AMBIT_URL}/healthz" "${BENCH_NGINX_URL}/healthz"
# and later ones may pass wrk arguments, e.g. a header:
#   bench_pair keyed URL_A URL_B -H "X-API-Key: ${key}"
#
# Environment:
#   AMBIT_BIN              server binary (default build/release/bin/ambit)
#   BENCH_SECONDS          length of one measured wrk run (default 10)
#   BENCH_WARMUP_SECONDS   unmeasured run before the rounds (default 2, 0: none)
#   BENCH_ROUNDS           rounds per server, run alternately A B A B (default 2)
#   BENCH_THREADS, BENCH_CONNECTIONS  wrk -t / -c (default 2 / 64)
#   BENCH_KEEP_TMP=1       keep the temp dir (logs) after the run

BENCH_DIR="${AMBIT_ROOT}/bench"
AMBIT_BIN="${AMBIT_BIN:-${AMBIT_ROOT}/build/release/bin/ambit}"
BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-2}"
BENCH_ROUNDS="${BENCH_ROUNDS:-2}"
BENCH_THREADS="${BENCH_THREADS:-2}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-64}"
BENCH_LABEL_A="${BENCH_LABEL_A:-ambit}"
BENCH_LABEL_B="${BENCH_LABEL_B:-nginx}"

BENCH_TMP=""
BENCH_PIDS=()

# Creates the scenario's temp dir and arranges for everything to be cleaned
# up however the script ends.
bench_init() {
  BENCH_TMP="$(mktemp -d -t ambit-bench.XXXXXX)"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Stops the servers this scenario started (by their pids) and removes the
# temp dir.
bench_cleanup() {
  bench_cleanup_servers
  if [[ -n ${BENCH_TMP} && -d ${BENCH_TMP} ]]; then
    if [[ ${BENCH_KEEP_TMP:-0} == 1 ]]; then
      ambit_log "kept ${BENCH_TMP}"
    else
      rm -rf "${BENCH_TMP}"
    fi
  fi
}

# Stops the servers this scenario started so far (by their pids).
bench_cleanup_servers() {
  local pid tries
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "${pid}" 2>/dev/null || continue
    for ((tries = 0; tries < 100; tries++)); do
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
  done
  BENCH_PIDS=()
}

# bench_wait_http URL PID LOG: waits until URL answers 2xx, failing early
# (with the server's log) when the process PID is gone.
bench_wait_http() {
  local url="$1" pid="$2" log="$3" tries
  for ((tries = 0; tries < 300; tries++)); do
    if curl -sf -o /dev/null "${url}"; then
      return 0
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
      ambit_error "server for ${url} exited; its log:"
      cat "${log}" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  ambit_error "no answer from ${url} after 30 s; server log:"
  cat "${log}" >&2 || true
  return 1
}

# bench_ambit ARGS...: runs the ambit binary in the foreground with the
# scenario's environment, e.g. `bench_ambit bootstrap --config F --email E`.
bench_ambit() {
  AMBIT_DATA_DIR="${BENCH_AMBIT_DATA:-${BENCH_TMP}/ambit-data}" AMBIT_LOG_LEVEL="${AMBIT_LOG_LEVEL:-warn}" \
    "${AMBIT_BIN}" "$@"
}

# bench_start_ambit CONFIG: `ambit serve` on a free loopback port, data in
# the temp dir, warnings only. Sets BENCH_AMBIT_PORT and BENCH_AMBIT_URL.
bench_start_ambit() {
  local config="$1"
  [[ -x ${AMBIT_BIN} ]] || { ambit_error "${AMBIT_BIN} not built (run scripts/bench)"; return 1; }
  local data="${BENCH_AMBIT_DATA:-${BENCH_TMP}/ambit-data}"
  mkdir -p "${data}"
  BENCH_AMBIT_PORT="$(ambit_free_port)"
  BENCH_AMBIT_URL="http://127.0.0.1:${BENCH_AMBIT_PORT}"
  AMBIT_LISTEN="127.0.0.1:${BENCH_AMBIT_PORT}" \
    AMBIT_DATA_DIR="${data}" \
    AMBIT_LOG_LEVEL="${AMBIT_LOG_LEVEL:-warn}" \
    "${AMBIT_BIN}" serve --config "${config}" \
    </dev/null >>"${BENCH_TMP}/ambit.log" 2>&1 &
  BENCH_PIDS+=("$!")
  bench_wait_http "${BENCH_AMBIT_URL}/healthz" "$!" "${BENCH_TMP}/ambit.log"
}

# Writes the nginx config for PORT from bench/nginx.conf.template.
bench_render_nginx_conf() {
  local port="$1" user_line=""
  # As root, workers would run as nobody and could not read the temp dir.
  [[ ${EUID} -eq 0 ]] && user_line="user root;"
  sed -e "s|@USER_LINE@|${user_line}|" \
    -e "s|@TMP@|${BENCH_TMP}/nginx|g" \
    -e "s|@PORT@|${port}|g" \
    -e "s|@ROOT@|${BENCH_TMP}/nginx/root|g" \
    "${BENCH_DIR}/nginx.conf.template" >"${BENCH_TMP}/nginx/nginx.conf"
}

# bench_start_nginx: nginx (2 workers, keep-alive, no access log) serving
# ${BENCH_TMP}/nginx/root on a free loopback port. Sets BENCH_NGINX_PORT,
# BENCH_NGINX_URL and BENCH_NGINX_ROOT.
bench_start_nginx() {
  BENCH_NGINX_ROOT="${BENCH_TMP}/nginx/root"
  mkdir -p "${BENCH_NGINX_ROOT}"
  BENCH_NGINX_PORT="$(ambit_free_port)"
  BENCH_NGINX_URL="http://127.0.0.1:${BENCH_NGINX_PORT}"
  bench_render_nginx_conf "${BENCH_NGINX_PORT}"
  printf 'ok\n' >"${BENCH_NGINX_ROOT}/.ready"
  nginx -p "${BENCH_TMP}/nginx" -c "${BENCH_TMP}/nginx/nginx.conf" \
    </dev/null >>"${BENCH_TMP}/nginx.log" 2>&1 &
  BENCH_PIDS+=("$!")
  bench_wait_http "${BENCH_NGINX_URL}/.ready" "$!" "${BENCH_TMP}/nginx.log"
}

# bench_mirror PATH [curl args...]: stores ambit's response body for PATH
# as the static file nginx serves at the same PATH.
bench_mirror() {
  local path="$1"
  shift
  mkdir -p "$(dirname "${BENCH_NGINX_ROOT}${path}")"
  curl -sf "$@" -o "${BENCH_NGINX_ROOT}${path}" "${BENCH_AMBIT_URL}${path}"
  if ! cmp -s <(curl -sf "$@" "${BENCH_AMBIT_URL}${path}") <(curl -sf "${BENCH_NGINX_URL}${path}"); then
    ambit_error "nginx does not serve ambit's body for ${path}"
    return 1
  fi
}

# Reads wrk output on stdin; prints "REQ_PER_SEC P50_MS P99_MS ERRORS"
# (socket errors and non-2xx/3xx answers), or with --counts
# "REQ_PER_SEC P50_MS P99_MS REQUESTS NON2XX SOCKET_ERRORS".
# shellcheck disable=SC2120  # --counts is passed by bench/http_audit.sh
bench_parse_wrk() {
  awk -v counts="$([[ ${1:-} == --counts ]] && echo 1 || echo 0)" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000
      return v + 0
    }
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    $2 == "requests" && $3 == "in" { requests = $1 }
    $1 == "Socket" && $2 == "errors:" { socket += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    END {
      if (rps == "") exit 1
      if (counts) printf "%.1f %.3f %.3f %d %d %d\n", rps, p50, p99, requests, non2xx, socket
      else printf "%.1f %.3f %.3f %d\n", rps, p50, p99, socket + non2xx
    }'
}

# bench_wrk SECONDS URL [wrk args...]: one wrk run; prints its parsed figures
# (see bench_parse_wrk) and keeps the raw output in the temp dir.
bench_wrk() {
  local seconds="$1" url="$2" raw
  shift 2
  raw="$(mktemp "${BENCH_TMP}/wrk.XXXXXX")"
  wrk -t"${BENCH_THREADS}" -c"${BENCH_CONNECTIONS}" -d"${seconds}s" --latency "$@" "${url}" >"${raw}" 2>&1 ||
    { cat "${raw}" >&2; return 1; }
  # shellcheck disable=SC2119  # the default figures
  bench_parse_wrk <"${raw}" || { ambit_error "could not parse wrk output:"; cat "${raw}" >&2; return 1; }
}

# Prints "MEAN SPREAD_PERCENT" of the numbers given as arguments; the spread
# (max - min) / mean between rounds of one server is the noise figure.
bench_mean_spread() {
  printf '%s\n' "$@" | awk '
    NR == 1 { min = $1; max = $1 }
    { sum += $1; if ($1 < min) min = $1; if ($1 > max) max = $1 }
    END {
      mean = sum / NR
      printf "%.1f %.1f\n", mean, (mean > 0 ? (max - min) / mean * 100 : 0)
    }'
}

# bench_pair NAME URL_A URL_B [wrk args...]: warms both servers up, then
# runs wrk on A and B alternately, BENCH_ROUNDS times each, and prints one
# line per run, the mean and spread per server, and the ratio A/B.
bench_pair() {
  local name="$1" url_a="$2" url_b="$3"
  shift 3
  local -a rps_a=() rps_b=() p99_a=() p99_b=()
  local round label url rps p50 p99 errors

  if ((BENCH_WARMUP_SECONDS > 0)); then
    bench_wrk "${BENCH_WARMUP_SECONDS}" "${url_a}" "$@" >/dev/null
    bench_wrk "${BENCH_WARMUP_SECONDS}" "${url_b}" "$@" >/dev/null
  fi
  for ((round = 1; round <= BENCH_ROUNDS; round++)); do
    for label in "${BENCH_LABEL_A}" "${BENCH_LABEL_B}"; do
      url="${url_a}"
      [[ ${label} == "${BENCH_LABEL_B}" ]] && url="${url_b}"
      read -r rps p50 p99 errors < <(bench_wrk "${BENCH_SECONDS}" "${url}" "$@")
      [[ -n ${rps:-} ]] || { ambit_error "wrk run failed for ${url}"; return 1; }
      printf '%-10s %-6s round=%d  req/s=%-10s p50=%sms  p99=%sms  errors=%s\n' \
        "${name}" "${label}" "${round}" "${rps}" "${p50}" "${p99}" "${errors}"
      if [[ ${label} == "${BENCH_LABEL_A}" ]]; then
        rps_a+=("${rps}")
        p99_a+=("${p99}")
      else
        rps_b+=("${rps}")
        p99_b+=("${p99}")
      fi
    done
  done

  local mean_a spread_a mean_b spread_b p99_mean_a p99_mean_b ignored
  read -r mean_a spread_a < <(bench_mean_spread "${rps_a[@]}")
  read -r mean_b spread_b < <(bench_mean_spread "${rps_b[@]}")
  read -r p99_mean_a ignored < <(bench_mean_spread "${p99_a[@]}")
  read -r p99_mean_b ignored < <(bench_mean_spread "${p99_b[@]}")
  printf '%-10s %-6s mean req/s=%-10s spread=%s%%\n' "${name}" "${BENCH_LABEL_A}" "${mean_a}" "${spread_a}"
  printf '%-10s %-6s mean req/s=%-10s spread=%s%%\n' "${name}" "${BENCH_LABEL_B}" "${mean_b}" "${spread_b}"
  awk -v n="${name}" -v la="${BENCH_LABEL_A}" -v lb="${BENCH_LABEL_B}" \
    -v a="${mean_a}" -v b="${mean_b}" -v sa="${spread_a}" -v sb="${spread_b}" \
    -v pa="${p99_mean_a}" -v pb="${p99_mean_b}" 'BEGIN {
      printf "%-10s ratio  %s/%s=%.3f  noise: %s %s%%, %s %s%%\n", n, la, lb, (b > 0 ? a / b : 0), la, sa, lb, sb
      printf "%-10s p99    %s=%.3fms %s=%.3fms  %s/%s=%.2f\n", n, la, pa, lb, pb, la, lb, (pb > 0 ? pa / pb : 0)
    }'
}

# One line saying what the numbers were measured with.
bench_print_setup() {
  printf 'bench: %s cores, wrk -t%s -c%s -d%ss --latency, %s rounds each (alternating), warm-up %ss\n' \
    "$(nproc)" "${BENCH_THREADS}" "${BENCH_CONNECTIONS}" "${BENCH_SECONDS}" "${BENCH_ROUNDS}" "${BENCH_WARMUP_SECONDS}"
}

# config_project URL OWNER_KEY: creates a provisioned project with 20 keys;
# prints "<project id> <client key>".
config_project() {
  local url="$1" key="$2" created project client i
  created="$(curl -sf -X POST -H "Authorization: Bearer ${key}" -d '{"name": "bench"}' "${url}/v1/admin/projects")"
  project="$(sed -n 's/.*"project":{"id":"\([^"]*\)".*/\1/p' <<<"${created}")"
  client="$(sed -n 's/.*"client":{[^}]*"key":"\([^"]*\)".*/\1/p' <<<"${created}")"
  [[ -n ${project} && -n ${client} ]] || { ambit_error "cannot create a project: ${created}"; return 1; }
  for i in $(seq 1 100); do
    curl -sf -H "Authorization: Bearer ${key}" "${url}/v1/admin/projects/${project}/provisioning-status" |
      grep -q '"status":"active"' && break
    sleep 0.1
  done
  curl -sf -X POST -H "Authorization: Bearer ${key}" "${url}/v1/admin/projects/${project}/segments" \
    -d '{"name": "modern", "rules": [{"attribute": "app_version", "operator": "semver_gte", "value": "2.0.0"}]}' \
    >/dev/null
  for i in $(seq 0 19); do
    curl -sf -X POST -H "Authorization: Bearer ${key}" "${url}/v1/admin/projects/${project}/config" -d '{
      "key": "feature_'"${i}"'", "value": "default value of feature '"${i}"'",
      "conditions": [
        {"segment": "android", "value": "android value of feature '"${i}"'"},
        {"percentage": 30, "value": "rollout value of feature '"${i}"'"},
        {"segment": "modern", "percentage": 50, "value": "modern value of feature '"${i}"'"}]}' >/dev/null
  done
  echo "${project} ${client}"
}
