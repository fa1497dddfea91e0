#!/usr/bin/env bash
# Scenario "config": the client config endpoint, the product's hot path.
# A project with 20 keys of 3 conditions each (a segment, a percentage, and
# a custom segment with a semantic-version rule plus a percentage):
#   config200  GET /v1/client/config, a distinct user_id per request (wrk Lua),
#              against nginx serving a static file of the same size;
#   config304  one user with If-None-Match: * -> 304 on both servers (the same
#              evaluation and comparison as a client's own ETag, without a wrk
#              Lua script, which would cost wrk CPU on a small machine);
#   upserts    POST .../config on SQLite and on PostgreSQL, sequential and 8 at
#              once, at 20, 500 and 5,000 keys (targets: 5,000 keys >= 0.8x
#              20 keys; PostgreSQL sequential >= 1,500/s).
# Targets: 200 path >= 0.5x nginx, 304 path >= 0.7x nginx, p99 <= 2x nginx's.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

# grow_keys URL KEY PROJECT N: adds keys key<i> until the project has N of them (one keep-alive connection).
grow_keys() {
  python3 - "$@" <<'PY'
import http.client, json, sys, urllib.parse
url, key, project, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlsplit(url)
c = http.client.HTTPConnection(u.hostname, u.port)
headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
c.request("GET", "/v1/admin/projects/%s/config" % project, headers=headers)
have = len(json.loads(c.getresponse().read())["data"])
for i in range(have, n):
    c.request("POST", "/v1/admin/projects/%s/config" % project, headers=headers,
              body=json.dumps({"key": "key%d" % i, "value": "value %d" % i}))
    r = c.getresponse()
    r.read()
    if r.status != 201:
        sys.exit("upsert answered %d" % r.status)
PY
}

# upsert_rates LABEL CONFIG: admin upserts against a fresh server, one connection
# after the other (sequential) and 8 at once, at 20, 500 and 5,000 keys.
upsert_rates() {
  local label="$1" config="$2" key created project n seq par
  local seq_rps seq_p99 seq_errors par_rps par_p99 par_errors
  export BENCH_AMBIT_DATA="${BENCH_TMP}/data-${label}"
  key="$(bench_ambit bootstrap --config "${config}" --email "bench-${label}@example.com" |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  bench_start_ambit "${config}"
  created="$(curl -sf -X POST -H "Authorization: Bearer ${key}" -d '{"name": "upserts"}' "${BENCH_AMBIT_URL}/v1/admin/projects")"
  project="$(sed -n 's/.*"project":{"id":"\([^"]*\)".*/\1/p' <<<"${created}")"
  for n in 20 500 5000; do
    grow_keys "${BENCH_AMBIT_URL}" "${key}" "${project}" "${n}"
    seq="$(BENCH_PROJECT="${project}" BENCH_KEYS="${n}" BENCH_CONNECTIONS=1 BENCH_THREADS=1 \
      bench_wrk "${BENCH_SECONDS}" "${BENCH_AMBIT_URL}" -s "${BENCH_DIR}/config_upserts.lua" \
      -H "Authorization: Bearer ${key}" -H "Content-Type: application/json")"
    par="$(BENCH_PROJECT="${project}" BENCH_KEYS="${n}" BENCH_CONNECTIONS=8 \
      bench_wrk "${BENCH_SECONDS}" "${BENCH_AMBIT_URL}" -s "${BENCH_DIR}/config_upserts.lua" \
      -H "Authorization: Bearer ${key}" -H "Content-Type: application/json")"
    read -r seq_rps _ seq_p99 seq_errors <<<"${seq}"
    read -r par_rps _ par_p99 par_errors <<<"${par}"
    printf 'upserts %-10s keys=%-5s sequential req/s=%-8s p99=%sms errors=%s | 8-way req/s=%-8s p99=%sms errors=%s\n' \
      "${label}" "${n}" "${seq_rps}" "${seq_p99}" "${seq_errors}" "${par_rps}" "${par_p99}" "${par_errors}"
  done
}

main() {
  bench_init
  trap 'bench_cleanup; ambit_pg_stop' EXIT
  local key project client
  key="$(bench_ambit bootstrap --config "${BENCH_DIR}/bench-config.json" --email bench@example.com |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  [[ -n ${key} ]] || { ambit_error "bootstrap printed no key"; return 1; }
  bench_start_ambit "${BENCH_DIR}/bench-config.json"
  bench_start_nginx
  read -r project client < <(config_project "${BENCH_AMBIT_URL}" "${key}")
  local query="/v1/client/config?platform=ios&app_version=2.3.0&country=DE&user_id=fixed-user"
  mkdir -p "${BENCH_NGINX_ROOT}/v1/client"
  curl -sf -H "Authorization: Bearer ${client}" "${BENCH_AMBIT_URL}${query}" >"${BENCH_NGINX_ROOT}/v1/client/config"
  printf 'config: %s keys x 3 conditions, body %s bytes\n' 20 "$(wc -c <"${BENCH_NGINX_ROOT}/v1/client/config")"

  BENCH_LABEL_A=ambit BENCH_LABEL_B=nginx bench_pair config200 "${BENCH_AMBIT_URL}" "${BENCH_NGINX_URL}" \
    -s "${BENCH_DIR}/config_users.lua" -H "Authorization: Bearer ${client}"

  local server code
  for server in "${BENCH_AMBIT_URL}" "${BENCH_NGINX_URL}"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${client}" -H 'If-None-Match: *' \
      "${server}${query}")"
    [[ ${code} == 304 ]] || { ambit_error "${server} answered ${code} to If-None-Match: *"; return 1; }
  done
  bench_pair config304 "${BENCH_AMBIT_URL}${query}" "${BENCH_NGINX_URL}${query}" \
    -H "Authorization: Bearer ${client}" -H 'If-None-Match: *'
  bench_cleanup_servers

  upsert_rates sqlite "${BENCH_DIR}/bench-config.json"
  bench_cleanup_servers
  ambit_pg_start >/dev/null
  local pg_config="${BENCH_TMP}/bench-config-pg.json"
  sed -e 's|"plugins"|"database": {"url": "'"${AMBIT_TEST_PG_URL}"'", "pool_size": 16}, "plugins"|' \
    "${BENCH_DIR}/bench-config.json" >"${pg_config}"
  upsert_rates postgresql "${pg_config}"
}

main "$@"
