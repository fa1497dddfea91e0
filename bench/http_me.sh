#!/usr/bin/env bash
# Scenario "me": authenticated GET /v1/me (API key verified from the
# in-process cache, audit row queued) against the trivial GET /healthz of the
# same server, in the same run. It measures what authentication, scope
# resolution and auditing add to a request. Target: me >= 0.7x trivial.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

main() {
  bench_init
  local key
  key="$(bench_ambit bootstrap --config "${BENCH_DIR}/bench-auth.json" --email bench@example.com |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  [[ -n ${key} ]] || { ambit_error "bootstrap printed no key"; return 1; }
  bench_start_ambit "${BENCH_DIR}/bench-auth.json"
  BENCH_LABEL_A=me BENCH_LABEL_B=trivial \
    bench_pair me "${BENCH_AMBIT_URL}/v1/me" "${BENCH_AMBIT_URL}/healthz" -H "Authorization: Bearer ${key}"
}

main "$@"
