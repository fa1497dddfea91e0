#!/usr/bin/env bash
# Scenario "config_stream": the live client config (GET /v1/client/config/stream)
# at scale, on SQLite and on PostgreSQL, with the project of scenario config
# (20 keys x 3 conditions). bench/sse_streams.cpp holds the streams (one
# thread, epoll) and changes a key through the admin API:
#   delay   p50/p99 from a write sent to its event received on every stream
#           (the write's own commit included), at 100, 1,000 and 10,000 streams,
#           BENCH_STREAM_WRITES writes each (default 20);
#   rss     the server's RSS per 1,000 open streams (10,000 open against none);
#   poll    GET /v1/client/config req/s (wrk) with no stream, with 10,000
#           open, and with 10,000 open while a write every 300 ms fans out
#           to all of them.
# Needs 10,000 descriptors per process (ulimit -n; raised to the hard limit).
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

WRITES="${BENCH_STREAM_WRITES:-20}"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# stream_figures LABEL CONFIG: every figure of the scenario against a fresh server.
stream_figures() {
  local label="$1" config="$2" key project client pid n before after held poll_open poll_none poll_fanout
  export BENCH_AMBIT_DATA="${BENCH_TMP}/data-${label}"
  key="$(bench_ambit bootstrap --config "${config}" --email "stream-${label}@example.com" |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  bench_start_ambit "${config}"
  pid="${BENCH_PIDS[-1]}"
  read -r project client < <(config_project "${BENCH_AMBIT_URL}" "${key}")
  local tool=("${BENCH_TMP}/sse_streams" --port "${BENCH_AMBIT_PORT}" --key "${client}")

  local query="${BENCH_AMBIT_URL}/v1/client/config?platform=ios&app_version=2.3.0&country=DE&user_id=fixed-user"
  poll_none="$(bench_wrk "${BENCH_SECONDS}" "${query}" -H "Authorization: Bearer ${client}")"
  before="$(rss_kb "${pid}")"
  held="$((BENCH_SECONDS * 2 + 60))"
  "${tool[@]}" --streams 10000 --ready-file "${BENCH_TMP}/ready-${label}" --hold-seconds "${held}" >/dev/null &
  local holder=$!
  for ((n = 0; n < 1200; n++)); do
    [[ -f ${BENCH_TMP}/ready-${label} ]] && break
    kill -0 "${holder}" 2>/dev/null || { ambit_error "sse_streams exited before its streams were open"; return 1; }
    sleep 0.1
  done
  after="$(rss_kb "${pid}")"
  poll_open="$(bench_wrk "${BENCH_SECONDS}" "${query}" -H "Authorization: Bearer ${client}")"
  # Again while a write every 300 ms fans out to the 10,000 streams.
  "${tool[@]}" --streams 1 --owner-key "${key}" --project "${project}" --writes "$((BENCH_SECONDS * 3 + 6))" \
    --gap-ms 300 >/dev/null &
  local writer=$!
  poll_fanout="$(bench_wrk "${BENCH_SECONDS}" "${query}" -H "Authorization: Bearer ${client}")"
  wait "${writer}" || { ambit_error "the writes during the fan-out failed"; return 1; }
  kill "${holder}" 2>/dev/null || true
  wait "${holder}" 2>/dev/null || true
  printf 'rss   %-10s 10000 streams: %s KB -> %s KB, %s KB per 1,000 streams\n' "${label}" "${before}" "${after}" \
    "$(((after - before) / 10))"
  local figures name rps p99
  for figures in "none:${poll_none}" "10,000 open:${poll_open}" "10,000 open, a write every 300 ms:${poll_fanout}"; do
    name="${figures%%:*}"
    read -r rps _ p99 _ <<<"${figures#*:}"
    printf 'poll  %-10s GET /v1/client/config with %-34s req/s=%-9s p99=%sms\n' "${label}" "${name}" "${rps}" "${p99}"
  done
  # After the RSS figure, which wants a server that never held a stream.
  for n in 100 1000 10000; do
    printf 'delay %-10s streams=%-6s %s\n' "${label}" "${n}" \
      "$("${tool[@]}" --streams "${n}" --owner-key "${key}" --project "${project}" --writes "${WRITES}")"
  done

  bench_cleanup_servers
}

main() {
  bench_init
  trap 'bench_cleanup; ambit_pg_stop' EXIT
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (($(ulimit -n) > 10100)) || ambit_die "needs more than 10,100 descriptors per process (ulimit -n is $(ulimit -n))"
  g++ -O2 -std=c++20 -o "${BENCH_TMP}/sse_streams" "${AMBIT_ROOT}/bench/sse_streams.cpp"

  stream_figures sqlite "${BENCH_DIR}/bench-config.json"
  ambit_pg_start >/dev/null
  local pg_config="${BENCH_TMP}/bench-config-pg.json"
  sed -e 's|"plugins"|"database": {"url": "'"${AMBIT_TEST_PG_URL}"'", "pool_size": 16}, "plugins"|' \
    "${BENCH_DIR}/bench-config.json" >"${pg_config}"
  stream_figures postgresql "${pg_config}"
}

main "$@"
