#!/usr/bin/env bash
# Scenario "trivial": GET /healthz on ambit (no plugins, no access log)
# against nginx serving the same body as a static file. It measures the
# kernel's HTTP path: accept, parse, route, respond, keep-alive.
# Expects build/release to be built (scripts/bench does that).
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

main() {
  bench_init
  bench_start_ambit "${BENCH_DIR}/bench.json"
  bench_start_nginx
  bench_mirror /healthz
  bench_pair trivial "${BENCH_AMBIT_URL}/healthz" "${BENCH_NGINX_URL}/healthz"
}

main "$@"
