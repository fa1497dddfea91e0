#!/usr/bin/env bash
# Scenario "secrets_sync": how long a secret takes from POST to `synced` on an
# idle server (SQLite, the directory sink), over BENCH_SYNC_SETS sets (default
# 10). Prints each figure and the median. Target: under 2 s (the seed: 30 s).
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

main() {
  bench_init
  local config="${BENCH_TMP}/secrets.json" key project i t0 t1
  local -a figures=()
  printf '%s\n' '{"server": {"access_log": false},' \
    '"plugins": [{"name": "auth-apikey"}, {"name": "projects"}, {"name": "secrets"}]}' >"${config}"
  key="$(bench_ambit bootstrap --config "${config}" --email bench@example.com |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  bench_start_ambit "${config}"
  project="$(curl -sf -X POST -H "Authorization: Bearer ${key}" -d '{"name": "bench"}' \
    "${BENCH_AMBIT_URL}/v1/admin/projects" | sed -n 's/.*"project":{"id":"\([^"]*\)".*/\1/p')"
  [[ -n ${project} ]] || { ambit_error "cannot create a project"; return 1; }
  sleep 1  # provisioning done: the server is idle
  for ((i = 1; i <= ${BENCH_SYNC_SETS:-10}; i++)); do
    t0="$(date +%s%N)"
    curl -sf -X POST -H "Authorization: Bearer ${key}" -d "{\"name\": \"KEY_${i}\", \"value\": \"value ${i}\"}" \
      "${BENCH_AMBIT_URL}/v1/admin/projects/${project}/secrets" >/dev/null
    until curl -sf -H "Authorization: Bearer ${key}" "${BENCH_AMBIT_URL}/v1/admin/projects/${project}/secrets" |
      grep -q "\"KEY_${i}\",\"function\":null,\"version\":1,\"sync_status\":\"synced\""; do
      sleep 0.005
    done
    t1="$(date +%s%N)"
    figures+=("$(((t1 - t0) / 1000000))")
  done
  printf 'secrets_sync set->synced ms: %s\n' "${figures[*]}"
  printf '%s\n' "${figures[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "secrets_sync median=%sms max=%sms\n", v[int((NR + 1) / 2)], v[NR] }'
}

main "$@"
