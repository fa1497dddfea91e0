#!/usr/bin/env bash
# Scenario "audit": the audit log at scale (docs/operator.md, "Audit log"),
# on SQLite and on a throwaway PostgreSQL. Per database:
#   rate     wrk on GET /v1/me (one API key) for BENCH_SECONDS (default 15):
#            req/s, then /metrics once the audit queue has drained: rows
#            written, dropped, requests rejected (503, queue full), and
#            whether every answered request has its row;
#   writer   rows written / ambit_audit_write_seconds_total over that run
#            (the writer's capacity while it competes for the CPU), and that
#            figure / the req/s above (target >= 1.5);
#   load     BENCH_AUDIT_ROWS rows (default 10 million) written straight into
#            the database while the server is stopped, into the bootstrap
#            tenant, over the last 30 days (1,000 credentials, 200 users, 50
#            routes, 1% 404s, 0.01% 500s); load time and bytes per row;
#   reads    GET /v1/audit?limit=50 unfiltered and per filter (credential_id,
#            user_id, status=500, route, a one-hour since/until window ten
#            days ago) with wrk -t1 -c4 --latency: p50 and p99 (target
#            p99 <= 20 ms);
#   prune    BENCH_AUDIT_OLD_ROWS rows (default 2 million) dated 100-105 days
#            ago (past audit.retention_days, 90 by default); `ambit audit
#            prune --dry-run`; then wrk on GET /v1/me for BENCH_SECONDS
#            (default 10) alone, and again from the start of `ambit audit
#            prune` to its end (at most BENCH_AUDIT_PRUNE_LOAD_SECONDS): p99
#            seen by wrk and by the server (its latency histogram), how long
#            the prune took and how many rows it removed while under load.
#            The server runs bench/bench-audit.json, whose retention_days 0
#            keeps it from pruning by itself (its retention job starts with
#            the server); the prune command gets the same config with the
#            default 90 days.
# A compact table of every figure closes the run.
#
# Environment (besides bench/lib.sh's):
#   BENCH_AUDIT_ROWS       rows loaded for the reads (default 10000000)
#   BENCH_AUDIT_OLD_ROWS   expired rows loaded for the prune (default 2000000)
#   BENCH_AUDIT_READ_SECONDS  wrk length per read filter (default 5)
#   BENCH_AUDIT_BACKENDS   "sqlite postgresql" (default) or either one
#   BENCH_AUDIT_PRUNE_LOAD_SECONDS  longest wrk run beside the prune
#                          (default 120; the prune then goes on alone)
#   BENCH_AUDIT_PRUNE_TIMEOUT  seconds the prune may take before it is
#                          stopped (default 1800)
#   BENCH_AUDIT_SQLITE_ANALYZE=1  run ANALYZE on SQLite after loading (the
#                          server never does; PostgreSQL gets VACUUM ANALYZE,
#                          as autovacuum would)
# On 2 cores a full run (10M + 2M rows on both databases) takes about 17
# minutes (loads: SQLite ~3 min, PostgreSQL ~5 min; the SQLite prune ~4 min)
# and needs ~15 GB free in TMPDIR; with BENCH_AUDIT_ROWS=200000
# BENCH_AUDIT_OLD_ROWS=100000 about 4 minutes.
set -euo pipefail

# BENCH_SECONDS as given, before bench/lib.sh sets its own default (10).
AUDIT_SECONDS_GIVEN="${BENCH_SECONDS:-}"

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=bench/lib.sh
source "${AMBIT_ROOT}/bench/lib.sh"

AUDIT_ROWS="${BENCH_AUDIT_ROWS:-10000000}"
AUDIT_OLD_ROWS="${BENCH_AUDIT_OLD_ROWS:-2000000}"
AUDIT_RATE_SECONDS="${AUDIT_SECONDS_GIVEN:-15}"
AUDIT_PRUNE_SECONDS="${AUDIT_SECONDS_GIVEN:-10}"
AUDIT_READ_SECONDS="${BENCH_AUDIT_READ_SECONDS:-5}"
AUDIT_BACKENDS="${BENCH_AUDIT_BACKENDS:-sqlite postgresql}"
AUDIT_CONFIG="${BENCH_DIR}/bench-audit.json"

AUDIT_CREDENTIALS=1000   # distinct credential ids in the loaded rows
AUDIT_USERS=200          # distinct user ids (a credential belongs to one user)
AUDIT_DAYS=30            # the loaded rows cover the last 30 days
AUDIT_OLD_AGE_DAYS=100   # the expired rows end 100 days ago ...
AUDIT_OLD_SPAN_DAYS=5    # ... and span 5 days
AUDIT_RETENTION_DAYS=90  # audit.retention_days of the prune command (the default)
AUDIT_CHUNK=1000000      # rows per transaction while loading
AUDIT_DRAIN_TIMEOUT=60   # seconds to wait for the audit queue to drain
AUDIT_PRUNE_TIMEOUT="${BENCH_AUDIT_PRUNE_TIMEOUT:-1800}"
AUDIT_PRUNE_LOAD_SECONDS="${BENCH_AUDIT_PRUNE_LOAD_SECONDS:-120}"
AUDIT_CREDENTIAL_PICK=417 AUDIT_USER_PICK=117

# The 50 routes of the loaded rows: method, template (OpenAPI style; turned
# into the server's own style, see audit_route_style), operation id.
AUDIT_ROUTES='GET /v1/me me.get
GET /v1/api_keys api_keys.list
POST /v1/api_keys api_keys.create
GET /v1/api_keys/{id} api_keys.get
DELETE /v1/api_keys/{id} api_keys.revoke
POST /v1/api_keys/{id}/rotate api_keys.rotate
GET /v1/audit audit_records.list
GET /v1/client/config client_config.get
GET /v1/invitations invitations.list
POST /v1/invitations invitations.create
DELETE /v1/invitations/{id} invitations.revoke
GET /v1/oauth_clients oauth_clients.list
DELETE /v1/oauth_clients/{clientId} oauth_clients.revoke
GET /v1/oauth_grants oauth_grants.list
DELETE /v1/oauth_grants/{grantId} oauth_grants.revoke
POST /v1/tenants tenants.create
GET /v1/tools tools.list
GET /v1/users users.list
PATCH /v1/users/{userId} users.update
DELETE /v1/users/{userId} users.delete
GET /v1/admin/projects projects.list
POST /v1/admin/projects projects.create
GET /v1/admin/projects/{projectId} projects.get
PATCH /v1/admin/projects/{projectId} projects.update
DELETE /v1/admin/projects/{projectId} projects.delete
POST /v1/admin/projects/{projectId}/api-keys project_keys.create
DELETE /v1/admin/projects/{projectId}/api-keys/{keyId} project_keys.revoke
POST /v1/admin/projects/{projectId}/archive projects.archive
POST /v1/admin/projects/{projectId}/unarchive projects.unarchive
GET /v1/admin/projects/{projectId}/provisioning-status projects.get_provisioning_status
POST /v1/admin/projects/{projectId}/reprovision projects.reprovision
GET /v1/admin/projects/{projectId}/config config.list
POST /v1/admin/projects/{projectId}/config config.set
PATCH /v1/admin/projects/{projectId}/config/{key} config.update
DELETE /v1/admin/projects/{projectId}/config/{key} config.delete
GET /v1/admin/projects/{projectId}/secrets secrets.list
POST /v1/admin/projects/{projectId}/secrets secrets.set
POST /v1/admin/projects/{projectId}/secrets/resync secrets.resync
GET /v1/admin/projects/{projectId}/secrets/{name} secrets.get
DELETE /v1/admin/projects/{projectId}/secrets/{name} secrets.delete
GET /v1/admin/projects/{projectId}/segments segments.list
POST /v1/admin/projects/{projectId}/segments segments.create
PATCH /v1/admin/projects/{projectId}/segments/{name} segments.update
DELETE /v1/admin/projects/{projectId}/segments/{name} segments.delete
POST /management/v1/api-clients/verify attestation_clients.verify_key
GET /management/v1/policies attestation_policies.list
POST /management/v1/policies attestation_policies.create
GET /management/v1/services attestation_services.list
GET /management/v1/services/{serviceId}/api-clients attestation_clients.list
POST /management/v1/services/{serviceId}/api-clients attestation_clients.create'
AUDIT_ROUTE_PICK='/v1/admin/projects/{projectId}/secrets/{name}'

# Figures for the closing table: AUDIT_RESULTS[backend.key].
declare -A AUDIT_RESULTS=()
AUDIT_BG_PIDS=() # wrk and `ambit audit prune` running in the background

# Stops what audit_phase_prune left running (when the script is interrupted).
audit_stop_background() {
  local pid
  for pid in "${AUDIT_BG_PIDS[@]}"; do
    kill -TERM "${pid}" 2>/dev/null || continue
    wait "${pid}" 2>/dev/null || true
  done
  AUDIT_BG_PIDS=()
}

# How the server writes route templates: "openapi" ({id}) or "colon" (:id).
AUDIT_ROUTE_STYLE="openapi"

audit_now_ms() { date +%s%3N; }
audit_now_s() { date +%s.%N; }
# audit_running_for T0 SECONDS: true while less than SECONDS passed since T0.
audit_running_for() { awk -v a="$1" -v b="$(audit_now_s)" -v s="$2" 'BEGIN { exit !(b - a < s) }'; }
audit_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
audit_rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# audit_urlencode STRING: percent-encodes everything but [A-Za-z0-9._~-].
audit_urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "${c}" in
      [A-Za-z0-9._~-]) out+="${c}" ;;
      *) out+="$(printf '%%%02X' "'${c}")" ;;
    esac
  done
  printf '%s\n' "${out}"
}

# audit_template TEMPLATE: the template in the server's style ({id} or :id).
audit_template() {
  if [[ ${AUDIT_ROUTE_STYLE} == colon ]]; then
    sed -E 's/\{([A-Za-z0-9_]+)\}/:\1/g' <<<"$1"
  else
    printf '%s\n' "$1"
  fi
}

# --- /metrics ----------------------------------------------------------------

audit_scrape() { curl -sf "${BENCH_AMBIT_URL}/metrics" >"$1"; }

# audit_metric FILE NAME: the value of an unlabelled metric, or n/a.
audit_metric() {
  awk -v n="$2" '$1 == n { v = $2; found = 1 } END { print(found ? v : "n/a") }' "$1"
}

# audit_delta FILE_BEFORE FILE_AFTER NAME: after - before, or n/a.
audit_delta() {
  local a b
  a="$(audit_metric "$1" "$3")"
  b="$(audit_metric "$2" "$3")"
  if [[ ${a} == n/a || ${b} == n/a ]]; then
    echo n/a
  else
    awk -v a="${a}" -v b="${b}" 'BEGIN { d = b - a; if (d == int(d)) printf "%d\n", d; else printf "%.6f\n", d }'
  fi
}

# audit_route_counts FILE_BEFORE FILE_AFTER ROUTE: "ANSWERED S503" from the
# deltas of ambit_http_requests_total for ROUTE (every method and status).
audit_route_counts() {
  awk -v r="route=\"$3\"" '
    index($1, "ambit_http_requests_total{") == 1 && index($1, r) {
      match($1, /status="[0-9]+"/)
      s = substr($1, RSTART + 8, RLENGTH - 9)
      d = (FILENAME == ARGV[1]) ? -$2 : $2
      total += d
      if (s == "503") s503 += d
    }
    END { printf "%d %d\n", total, s503 }' "$1" "$2"
}

# audit_server_latency FILE_BEFORE FILE_AFTER ROUTE: "P99 MEAN" in ms of the
# requests to ROUTE between the two scrapes, from the server's latency
# histogram: P99 is the bound of the bucket holding the 99th percentile
# ("<=0.5": buckets are 0.5, 1, 2.5, 5, 10, 25 ms ...), MEAN is exact.
audit_server_latency() {
  awk -v r="route=\"$3\"" -v q=0.99 '
    function add(name, v) { if (index($1, name "{") == 1 && index($1, r)) return v; return 0 }
    {
      sign = (FILENAME == ARGV[1]) ? -1 : 1
      sum += sign * add("ambit_http_request_duration_seconds_sum", $2)
      if (index($1, "ambit_http_request_duration_seconds_bucket{") == 1 && index($1, r)) {
        match($1, /le="[^"]*"/)
        le = substr($1, RSTART + 4, RLENGTH - 5)
        if (!(le in seen)) { seen[le] = 1; order[++n] = le }
        count[le] += sign * $2
      }
    }
    END {
      total = count["+Inf"]
      if (n == 0 || total <= 0) { print "n/a n/a"; exit }
      for (i = 1; i <= n; i++) {
        le = order[i]
        if (count[le] >= q * total) break
      }
      mean = sum / total * 1000
      if (le == "+Inf") printf ">%g %.2f\n", order[n - 1] * 1000, mean
      else printf "<=%g %.2f\n", le * 1000, mean
    }' "$1" "$2"
}

# audit_drain: waits until the audit queue is empty (ambit_audit_queued_rows
# 0; without that gauge, until rows written stop changing), at most
# AUDIT_DRAIN_TIMEOUT seconds. Leaves the last scrape in ${BENCH_TMP}/drain.
audit_drain() {
  local file="${BENCH_TMP}/drain" queued written last="" stable=0 tries
  for ((tries = 0; tries < AUDIT_DRAIN_TIMEOUT * 4; tries++)); do
    audit_scrape "${file}" || { sleep 0.25; continue; }
    queued="$(audit_metric "${file}" ambit_audit_queued_rows)"
    written="$(audit_metric "${file}" ambit_audit_rows_written_total)"
    if [[ ${queued} == n/a ]]; then
      # No gauge: the same count for 2 s (a slow batch can take a while).
      if [[ ${written} != "${last}" ]]; then
        last="${written}" stable=0
      elif ((++stable >= 8)); then
        return 0
      fi
    elif [[ ${queued} == 0 ]]; then
      return 0
    fi
    sleep 0.25
  done
  # Not fatal: the figures that follow show the rows that were missing.
  ambit_error "the audit queue did not drain in ${AUDIT_DRAIN_TIMEOUT} s (queued: ${queued:-?})"
}

# --- wrk ---------------------------------------------------------------------

# audit_wrk THREADS CONNECTIONS SECONDS URL [wrk args...]: one wrk run (a
# request times out after 30 s, not wrk's 2 s: a slow answer still counts in
# the latency figures); prints
# "REQ_PER_SEC P50_MS P99_MS REQUESTS NON2XX SOCKET_ERRORS".
audit_wrk() {
  local threads="$1" connections="$2" seconds="$3" url="$4" raw
  shift 4
  raw="$(mktemp "${BENCH_TMP}/wrk.XXXXXX")"
  wrk -t"${threads}" -c"${connections}" -d"${seconds}s" --timeout 30s --latency "$@" "${url}" >"${raw}" 2>&1 ||
    { cat "${raw}" >&2; return 1; }
  audit_wrk_parse "${raw}"
}

# audit_wrk_parse RAW: audit_wrk's figures from wrk's output in RAW.
audit_wrk_parse() {
  bench_parse_wrk --counts <"$1" || { ambit_error "could not parse wrk output:"; cat "$1" >&2; return 1; }
}

# --- the database, straight -------------------------------------------------

# audit_sql BACKEND: runs the SQL on stdin against the backend's database
# (unaligned, tuples only); stops at the first error.
audit_sql() {
  if [[ $1 == sqlite ]]; then
    sqlite3 -batch -bail -noheader "${BENCH_AMBIT_DATA}/ambit.db"
  else
    "${AMBIT_PG_BIN}/psql" -X -q -A -t -v ON_ERROR_STOP=1 "${AMBIT_TEST_PG_URL}"
  fi
}

# audit_routes_values: the routes as SQL VALUES rows (k, method, route, operation).
audit_routes_values() {
  local k=0 method template operation sep=""
  while read -r method template operation; do
    printf "%s(%d, '%s', '%s', '%s')" "${sep}" "${k}" "${method}" "$(audit_template "${template}")" "${operation}"
    sep=$',\n'
    k=$((k + 1))
  done <<<"${AUDIT_ROUTES}"
  printf '\n'
}

# audit_load BACKEND TENANT ROWS FROM_MS TO_MS TAG: writes ROWS audit rows of
# TENANT with `at` evenly spread over [FROM_MS, TO_MS) (so ids, which start
# with `at`, come in order), ids <12 hex of at>-<TAG>-<8 hex of the row number>.
# Random per row: the credential (of AUDIT_CREDENTIALS; its user is
# credential % AUDIT_USERS), the route (of 50), status 500 (0.01%), 404 (1%)
# or 200, the request id. In transactions of AUDIT_CHUNK rows.
audit_load() {
  local backend="$1" tenant="$2" rows="$3" from="$4" to="$5" tag="$6" start end span=$(($5 - $4))
  [[ ${tenant} =~ ^[0-9a-f-]+$ && ${tag} =~ ^[0-9a-f]{8}$ ]] || { ambit_error "bad tenant or tag"; return 1; }
  local status="CASE WHEN s < 100 THEN 500 WHEN s < 10100 THEN 404 ELSE 200 END"
  if [[ ${backend} == sqlite ]]; then
    {
      printf 'PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA cache_size=-1048576;\n'
      printf 'CREATE TEMP TABLE bench_routes (k INTEGER PRIMARY KEY, method TEXT, route TEXT, operation TEXT);\n'
      printf 'INSERT INTO bench_routes VALUES\n%s;\n' "$(audit_routes_values)"
      for ((start = 0; start < rows; start += AUDIT_CHUNK)); do
        end=$((start + AUDIT_CHUNK < rows ? start + AUDIT_CHUNK : rows))
        # The random values are columns of the CTE, so each is drawn once per row.
        cat <<SQL
BEGIN;
WITH RECURSIVE n(i, c, r, s) AS (
  SELECT ${start}, abs(random() % ${AUDIT_CREDENTIALS}), abs(random() % 50), abs(random() % 1000000)
  UNION ALL
  SELECT i + 1, abs(random() % ${AUDIT_CREDENTIALS}), abs(random() % 50), abs(random() % 1000000)
  FROM n WHERE i + 1 < ${end})
INSERT INTO ambit_audit (id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,
                         request_id, legacy_mode, tool, operation, client_ip)
SELECT printf('%012x-${tag}-%08x', ${from} + i * ${span} / ${rows}, i), ${from} + i * ${span} / ${rows},
       '${tenant}', printf('00000000-0000-4000-8000-%012d', c % ${AUDIT_USERS}), 'api_key',
       printf('key_bench%019d', c), b.method, b.route, ${status}, lower(hex(randomblob(16))), 0, NULL,
       b.operation, printf('10.0.%d.%d', c / 250, c % 250 + 1)
FROM n CROSS JOIN bench_routes AS b WHERE b.k = n.r;
COMMIT;
.print ==> loaded ${end} of ${rows} rows
SQL
      done
      printf 'PRAGMA wal_checkpoint(TRUNCATE);\n'
    } | audit_sql sqlite | { grep '^==>' || true; } >&2
  else
    local day
    {
      printf 'SET synchronous_commit = off;\nSET client_min_messages = warning;\n'
      # One partition per UTC day, as the kernel names them.
      for ((day = from / 86400000; day <= (to - 1) / 86400000; day++)); do
        printf 'CREATE TABLE IF NOT EXISTS ambit_audit_p%s PARTITION OF ambit_audit FOR VALUES FROM (%d) TO (%d);\n' \
          "$(date -u -d "@$((day * 86400))" +%Y%m%d)" $((day * 86400000)) $(((day + 1) * 86400000))
      done
      printf 'CREATE TEMP TABLE bench_routes (k INTEGER PRIMARY KEY, method TEXT, route TEXT, operation TEXT);\n'
      printf 'INSERT INTO bench_routes VALUES\n%s;\n' "$(audit_routes_values)"
      for ((start = 0; start < rows; start += AUDIT_CHUNK)); do
        end=$((start + AUDIT_CHUNK < rows ? start + AUDIT_CHUNK : rows))
        # random() in the subquery's select list: the subquery is not
        # flattened (volatile), so each value is drawn once per row.
        cat <<SQL
INSERT INTO ambit_audit (id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,
                         request_id, legacy_mode, tool, operation, client_ip)
SELECT lpad(to_hex(at), 12, '0') || '-${tag}-' || lpad(to_hex(i), 8, '0'), at, '${tenant}',
       '00000000-0000-4000-8000-' || lpad((c % ${AUDIT_USERS})::text, 12, '0'), 'api_key',
       'key_bench' || lpad(c::text, 19, '0'), b.method, b.route, ${status}, md5(random()::text), 0, NULL,
       b.operation, '10.0.' || (c / 250) || '.' || (c % 250 + 1)
FROM (SELECT i, ${from}::bigint + i * ${span}::bigint / ${rows} AS at,
             floor(random() * ${AUDIT_CREDENTIALS})::int AS c, floor(random() * 50)::int AS r,
             floor(random() * 1000000)::int AS s
      FROM generate_series(${start}, ${end} - 1) AS g(i)) AS x
JOIN bench_routes AS b ON b.k = x.r;
\\echo ==> loaded ${end} of ${rows} rows
SQL
      done
    } | audit_sql postgresql >&2
  fi
}

# audit_vacuum BACKEND: PostgreSQL: VACUUM (ANALYZE) the audit table, what
# autovacuum does to the partitions of a live server. SQLite: nothing, as
# nothing runs ANALYZE on a live server, unless BENCH_AUDIT_SQLITE_ANALYZE=1
# (to see what statistics would change).
audit_vacuum() {
  if [[ $1 == postgresql ]]; then
    audit_sql postgresql <<<'VACUUM (ANALYZE) ambit_audit;'
  elif [[ ${BENCH_AUDIT_SQLITE_ANALYZE:-0} == 1 ]]; then
    audit_sql sqlite <<<'ANALYZE;'
  fi
}

# audit_size BACKEND: "ROWS BYTES" of the audit table with its indexes.
audit_size() {
  if [[ $1 == sqlite ]]; then
    audit_sql sqlite <<'SQL' | tr '|' ' '
SELECT (SELECT count(*) FROM ambit_audit),
       (SELECT sum(pgsize) FROM dbstat
        WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'ambit_audit'));
SQL
  else
    audit_sql postgresql <<'SQL' | tr '|' ' '
SELECT (SELECT count(*) FROM ambit_audit),
       (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits
        WHERE inhparent = 'ambit_audit'::regclass);
SQL
  fi
}

# audit_count_before BACKEND TENANT MS: rows of TENANT older than MS.
audit_count_before() {
  if [[ $1 == sqlite ]]; then
    # By the primary key (tenant_id, id): ids start with 12 hex digits of `at`.
    audit_sql sqlite <<<"SELECT count(*) FROM ambit_audit WHERE tenant_id = '$2' AND id < printf('%012x', $3);"
  else
    audit_sql postgresql <<<"SELECT count(*) FROM ambit_audit WHERE tenant_id = '$2' AND at < $3;"
  fi
}

# audit_check_schema BACKEND: fails unless the server migrated 0005.
audit_check_schema() {
  local has
  if [[ $1 == sqlite ]]; then
    has="$(audit_sql sqlite <<<"SELECT count(*) FROM pragma_table_info('ambit_audit') WHERE name = 'client_ip';")"
  else
    has="$(audit_sql postgresql <<<"SELECT count(*) FROM information_schema.columns
      WHERE table_name = 'ambit_audit' AND column_name = 'client_ip';")"
  fi
  [[ ${has} == 1 ]] || { ambit_error "ambit_audit has no client_ip column: ${AMBIT_BIN} predates migration 0005"; return 1; }
}

# --- phases ------------------------------------------------------------------

# audit_route_style KEY: asks for an API key that does not exist (a 404 the
# audit log records) and reads back which template style the server writes.
audit_route_style() {
  local key="$1" rows
  curl -s -o /dev/null -H "X-API-Key: ${key}" "${BENCH_AMBIT_URL}/v1/api_keys/key_bench_probe"
  audit_drain
  rows="$(curl -sf -H "X-API-Key: ${key}" "${BENCH_AMBIT_URL}/v1/audit?limit=10")"
  if grep -q '"route":"/v1/api_keys/:id"' <<<"${rows}"; then
    AUDIT_ROUTE_STYLE="colon"
  elif grep -q '"route":"/v1/api_keys/{id}"' <<<"${rows}"; then
    AUDIT_ROUTE_STYLE="openapi"
  else
    ambit_log "could not tell the server's route template style; using {param}"
  fi
}

# audit_phase_rate BACKEND KEY: the sustained rate and the writer's capacity.
audit_phase_rate() {
  local b="$1" key="$2" before="${BENCH_TMP}/rate-before" after="${BENCH_TMP}/rate-after"
  local rps p50 p99 requests non2xx errors
  audit_drain
  audit_scrape "${before}"
  read -r rps p50 p99 requests non2xx errors < <(audit_wrk "${BENCH_THREADS}" "${BENCH_CONNECTIONS}" \
    "${AUDIT_RATE_SECONDS}" "${BENCH_AMBIT_URL}/v1/me" -H "X-API-Key: ${key}")
  [[ -n ${rps:-} ]] || { ambit_error "wrk failed on /v1/me"; return 1; }
  audit_drain
  audit_scrape "${after}"

  local written dropped rejected seconds answered s503 expected match writer ratio
  written="$(audit_delta "${before}" "${after}" ambit_audit_rows_written_total)"
  dropped="$(audit_delta "${before}" "${after}" ambit_audit_rows_dropped_total)"
  rejected="$(audit_delta "${before}" "${after}" ambit_audit_requests_rejected_total)"
  seconds="$(audit_delta "${before}" "${after}" ambit_audit_write_seconds_total)"
  # Rows expected: every /v1/me the server answered (wrk's count misses the
  # up to -c requests in flight when it stops) but the 503s of a full queue.
  read -r answered s503 < <(audit_route_counts "${before}" "${after}" /v1/me)
  expected=$((answered - s503))
  if [[ ${written} == "${expected}" ]]; then match=yes; else match="no (${written} vs ${expected})"; fi
  printf '%-10s rate     req/s=%s p50=%sms p99=%sms  wrk: requests=%s non-2xx=%s socket-errors=%s\n' \
    "${b}" "${rps}" "${p50}" "${p99}" "${requests}" "${non2xx}" "${errors}"
  printf '%-10s rate     server answered=%s (503: %s; in flight at wrk stop: %s)  written=%s dropped=%s rejected=%s  written==answered: %s\n' \
    "${b}" "${answered}" "${s503}" $((answered - requests)) "${written}" "${dropped}" "${rejected}" "${match}"
  if [[ ${seconds} == n/a || ${written} == n/a ]]; then
    writer=n/a ratio=n/a
  else
    writer="$(awk -v w="${written}" -v s="${seconds}" 'BEGIN { printf (s > 0 ? "%.0f" : "n/a"), (s > 0 ? w / s : 0) }')"
    ratio="$(awk -v w="${writer}" -v r="${rps}" 'BEGIN { printf (w + 0 > 0 && r > 0 ? "%.2f" : "n/a"), (r > 0 ? w / r : 0) }')"
  fi
  printf '%-10s writer   rows/s=%s (%s rows in %s s of writing)  writer/req-rate=%s (target >= 1.5)\n' \
    "${b}" "${writer}" "${written}" "${seconds}" "${ratio}"
  AUDIT_RESULTS[${b}.rps]="${rps}"
  AUDIT_RESULTS[${b}.requests]="${requests}"
  AUDIT_RESULTS[${b}.non2xx]="${non2xx}"
  AUDIT_RESULTS[${b}.written]="${written}"
  AUDIT_RESULTS[${b}.dropped]="${dropped}"
  AUDIT_RESULTS[${b}.rejected]="${rejected}"
  AUDIT_RESULTS[${b}.match]="${match%% *}"
  AUDIT_RESULTS[${b}.writer]="${writer}"
  AUDIT_RESULTS[${b}.ratio]="${ratio}"
}

# audit_phase_load BACKEND TENANT: stops the server, loads AUDIT_ROWS rows
# over the last AUDIT_DAYS days, restarts it.
audit_phase_load() {
  local b="$1" tenant="$2" config="$3" now t0 t1 rows0 rows1 bytes1 vacuum="" per_row rate
  bench_cleanup_servers
  audit_check_schema "${b}"
  read -r rows0 _ < <(audit_size "${b}")
  now="$(audit_now_ms)"
  ambit_log "${b}: loading ${AUDIT_ROWS} audit rows"
  t0="$(audit_now_s)"
  audit_load "${b}" "${tenant}" "${AUDIT_ROWS}" $((now - AUDIT_DAYS * 86400000)) $((now - 60000)) b0b0a001
  t1="$(audit_now_s)"
  AUDIT_RESULTS[${b}.load_s]="$(audit_elapsed "${t0}" "${t1}")"
  if [[ ${b} == postgresql || ${BENCH_AUDIT_SQLITE_ANALYZE:-0} == 1 ]]; then
    audit_vacuum "${b}"
    vacuum="$(audit_elapsed "${t1}" "$(audit_now_s)")"
    AUDIT_RESULTS[${b}.load_s]+=" +${vacuum}"
    vacuum=", then $([[ ${b} == sqlite ]] && echo ANALYZE || echo 'VACUUM (ANALYZE)') in ${vacuum} s"
  fi
  read -r rows1 bytes1 < <(audit_size "${b}")
  per_row="$(awk -v b="${bytes1}" -v r="${rows1}" 'BEGIN { printf "%.0f", (r > 0 ? b / r : 0) }')"
  rate="$(awk -v r="$((rows1 - rows0))" -v a="${t0}" -v z="${t1}" 'BEGIN { printf "%.0f", r / (z - a) }')"
  AUDIT_RESULTS[${b}.bytes_row]="${per_row}"
  printf '%-10s load     %s rows in %s s (%s rows/s)%s\n' "${b}" "$((rows1 - rows0))" "$(audit_elapsed "${t0}" "${t1}")" \
    "${rate}" "${vacuum}"
  printf '%-10s size     %s rows, %s MB with indexes: %s bytes/row\n' "${b}" "${rows1}" $((bytes1 / 1048576)) "${per_row}"
  bench_start_ambit "${config}"
}

# audit_phase_reads BACKEND KEY: p50/p99 of GET /v1/audit per filter.
audit_phase_reads() {
  local b="$1" key="$2" since until name query code body n rps p50 p99 requests non2xx errors
  since=$(( ($(date +%s) - 10 * 86400) / 3600 * 3600 ))
  until=$((since + 3600))
  local -a names=(none credential user status500 route window)
  local -a queries=(
    "limit=50"
    "limit=50&credential_id=$(printf 'key_bench%019d' "${AUDIT_CREDENTIAL_PICK}")"
    "limit=50&user_id=$(printf '00000000-0000-4000-8000-%012d' "${AUDIT_USER_PICK}")"
    "limit=50&status=500"
    "limit=50&route=$(audit_urlencode "$(audit_template "${AUDIT_ROUTE_PICK}")")"
    "limit=50&since=$(audit_rfc3339 "${since}")&until=$(audit_rfc3339 "${until}")"
  )
  local i
  for i in "${!names[@]}"; do
    name="${names[i]}" query="${queries[i]}"
    body="${BENCH_TMP}/read-${name}"
    code="$(curl -s --max-time 60 -o "${body}" -w '%{http_code}' -H "X-API-Key: ${key}" \
      "${BENCH_AMBIT_URL}/v1/audit?${query}")" || true
    n="$(grep -o '"request_id"' "${body}" | wc -l)"
    read -r rps p50 p99 requests non2xx errors < <(audit_wrk 1 4 "${AUDIT_READ_SECONDS}" \
      "${BENCH_AMBIT_URL}/v1/audit?${query}" -H "X-API-Key: ${key}")
    printf '%-10s read     %-10s HTTP %s, %2s rows  req/s=%-8s p50=%sms p99=%sms non-2xx=%s errors=%s  ?%s\n' \
      "${b}" "${name}" "${code}" "${n}" "${rps}" "${p50}" "${p99}" "${non2xx}" "${errors}" "${query}"
    if [[ ${code} == 200 ]]; then
      AUDIT_RESULTS[${b}.read_${name}]="${p50}/${p99}"
    else
      AUDIT_RESULTS[${b}.read_${name}]="HTTP ${code}"
    fi
  done
}

# audit_phase_prune BACKEND TENANT CONFIG KEY PRUNE_CONFIG: loads expired
# rows; then wrk on /v1/me for AUDIT_PRUNE_SECONDS alone (the baseline), and
# again from the start of `ambit audit prune` to its end (wrk stops on
# SIGINT and prints its figures), so the second p99 covers the whole prune.
audit_phase_prune() {
  local b="$1" tenant="$2" config="$3" key="$4" prune_config="$5" now cutoff expired
  local label
  label="$(printf '%-10s prune    ' "${b}")"
  bench_cleanup_servers
  now="$(audit_now_ms)"
  ambit_log "${b}: loading ${AUDIT_OLD_ROWS} expired audit rows"
  audit_load "${b}" "${tenant}" "${AUDIT_OLD_ROWS}" $((now - (AUDIT_OLD_AGE_DAYS + AUDIT_OLD_SPAN_DAYS) * 86400000)) \
    $((now - AUDIT_OLD_AGE_DAYS * 86400000)) b0b0a002
  cutoff=$((now - AUDIT_RETENTION_DAYS * 86400000))
  expired="$(audit_count_before "${b}" "${tenant}" "${cutoff}")"
  bench_start_ambit "${config}"

  local have_prune=1 t0 t1
  if ! bench_ambit --help 2>&1 | grep -q '^ *audit '; then
    have_prune=0
    ambit_log "${AMBIT_BIN} has no 'audit prune': measuring the baseline only"
  else
    t0="$(audit_now_s)"
    { bench_ambit audit prune --dry-run --config "${prune_config}" 2>&1 || true; } >"${BENCH_TMP}/dry-run.log"
    t1="$(audit_now_s)"
    printf '%srows past retention: %s; ambit audit prune --dry-run (%s s):\n' "${label}" "${expired}" \
      "$(audit_elapsed "${t0}" "${t1}")"
    head -n 20 "${BENCH_TMP}/dry-run.log" | sed "s/^/${label}| /"
  fi

  local before="${BENCH_TMP}/prune-0" mid="${BENCH_TMP}/prune-1" after="${BENCH_TMP}/prune-2"
  local rps p50 p99 requests non2xx errors base_p99 srv_p99 srv_mean base_srv
  audit_drain
  audit_scrape "${before}"
  read -r rps p50 p99 requests non2xx errors < <(audit_wrk "${BENCH_THREADS}" "${BENCH_CONNECTIONS}" \
    "${AUDIT_PRUNE_SECONDS}" "${BENCH_AMBIT_URL}/v1/me" -H "X-API-Key: ${key}")
  audit_drain
  audit_scrape "${mid}"
  base_p99="${p99}"
  read -r srv_p99 srv_mean < <(audit_server_latency "${before}" "${mid}" /v1/me)
  base_srv="${srv_p99}"
  printf '%sbaseline      %5.1f s  req/s=%s p50=%sms p99=%sms non-2xx=%s  server: p99 %sms, mean %sms\n' \
    "${label}" "${AUDIT_PRUNE_SECONDS}" "${rps}" "${p50}" "${p99}" "${non2xx}" "${srv_p99}" "${srv_mean}"
  AUDIT_RESULTS[${b}.p99_base]="${base_p99}/${base_srv}"
  ((have_prune)) || return 0

  local prune_pid wrk_pid raw rc=0 prune_s wrk_s left_loaded remaining loaded_rate
  raw="${BENCH_TMP}/wrk-prune"
  t0="$(audit_now_s)"
  bench_ambit audit prune --config "${prune_config}" >"${BENCH_TMP}/prune.log" 2>&1 &
  prune_pid=$!
  AUDIT_BG_PIDS+=("${prune_pid}")
  wrk -t"${BENCH_THREADS}" -c"${BENCH_CONNECTIONS}" -d"${AUDIT_PRUNE_TIMEOUT}s" --timeout 30s --latency \
    -H "X-API-Key: ${key}" "${BENCH_AMBIT_URL}/v1/me" >"${raw}" 2>&1 &
  wrk_pid=$!
  AUDIT_BG_PIDS+=("${wrk_pid}")
  # wrk until the prune ends (at least 1 s, at most AUDIT_PRUNE_LOAD_SECONDS).
  while audit_running_for "${t0}" 1 || { kill -0 "${prune_pid}" 2>/dev/null &&
    audit_running_for "${t0}" "${AUDIT_PRUNE_LOAD_SECONDS}"; }; do
    sleep 0.1
  done
  kill -INT "${wrk_pid}" 2>/dev/null || true
  wait "${wrk_pid}" || true
  wrk_s="$(audit_elapsed "${t0}" "$(audit_now_s)")"
  left_loaded="$(audit_count_before "${b}" "${tenant}" "${cutoff}")"
  while kill -0 "${prune_pid}" 2>/dev/null && audit_running_for "${t0}" "${AUDIT_PRUNE_TIMEOUT}"; do
    sleep 0.1
  done
  if kill -0 "${prune_pid}" 2>/dev/null; then
    ambit_error "ambit audit prune still running after ${AUDIT_PRUNE_TIMEOUT} s; stopping it"
    kill -TERM "${prune_pid}" 2>/dev/null || true
  fi
  wait "${prune_pid}" || rc=$?
  AUDIT_BG_PIDS=()
  t1="$(audit_now_s)"
  read -r rps p50 p99 requests non2xx errors < <(audit_wrk_parse "${raw}")
  audit_drain
  audit_scrape "${after}"
  prune_s="$(audit_elapsed "${t0}" "${t1}")"
  remaining="$(audit_count_before "${b}" "${tenant}" "${cutoff}")"
  loaded_rate="$(awk -v n="$((expired - left_loaded))" -v s="${wrk_s}" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')"
  read -r srv_p99 srv_mean < <(audit_server_latency "${mid}" "${after}" /v1/me)
  printf '%sduring prune  %5.1f s  req/s=%s p50=%sms p99=%sms non-2xx=%s  server: p99 %sms, mean %sms\n' \
    "${label}" "${wrk_s}" "${rps}" "${p50}" "${p99}" "${non2xx}" "${srv_p99}" "${srv_mean}"
  printf '%sprune took %s s (exit %s); rows past retention %s -> %s (%s removed under wrk: %s rows/s); p99 %sms -> %sms, server p99 %sms -> %sms\n' \
    "${label}" "${prune_s}" "${rc}" "${expired}" "${remaining}" "$((expired - left_loaded))" "${loaded_rate}" \
    "${base_p99}" "${p99}" "${base_srv}" "${srv_p99}"
  head -n 10 "${BENCH_TMP}/prune.log" | sed "s/^/${label}| /"
  AUDIT_RESULTS[${b}.p99_prune]="${p99}/${srv_p99}"
  AUDIT_RESULTS[${b}.prune_s]="${prune_s}"
  AUDIT_RESULTS[${b}.pruned]="$((expired - remaining))"
  AUDIT_RESULTS[${b}.prune_rate]="${loaded_rate}"
}

# audit_backend BACKEND CONFIG: every phase on one database.
audit_backend() {
  local b="$1" config="$2" key me tenant prune_config="${BENCH_TMP}/bench-audit-prune-$1.json"
  sed -e 's|"retention_days": 0|"retention_days": '"${AUDIT_RETENTION_DAYS}"'|' "${config}" >"${prune_config}"
  grep -q "\"retention_days\": ${AUDIT_RETENTION_DAYS}" "${prune_config}" ||
    { ambit_error "${config} does not say \"retention_days\": 0"; return 1; }
  export BENCH_AMBIT_DATA="${BENCH_TMP}/data-${b}"
  key="$(bench_ambit bootstrap --config "${config}" --email "bench-${b}@example.com" |
    sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
  [[ -n ${key} ]] || { ambit_error "bootstrap printed no key"; return 1; }
  bench_start_ambit "${config}"
  me="$(curl -sf -H "X-API-Key: ${key}" "${BENCH_AMBIT_URL}/v1/me")"
  tenant="$(sed -n 's/.*"tenant_id":"\([^"]*\)".*/\1/p' <<<"${me}")"
  [[ -n ${tenant} ]] || { ambit_error "no tenant_id in GET /v1/me: ${me}"; return 1; }
  audit_route_style "${key}"

  audit_phase_rate "${b}" "${key}"
  audit_phase_load "${b}" "${tenant}" "${config}"
  audit_phase_reads "${b}" "${key}"
  audit_phase_prune "${b}" "${tenant}" "${config}" "${key}" "${prune_config}"
  bench_cleanup_servers
  # The loaded database can take gigabytes: free them before the next one.
  [[ ${BENCH_KEEP_TMP:-0} == 1 ]] || rm -rf "${BENCH_AMBIT_DATA}"
}

audit_table() {
  local -a backends
  read -r -a backends <<<"${AUDIT_BACKENDS}"
  local label key b line
  printf '\naudit summary (%s rows loaded, %s expired; times in ms as wrk p50/p99, or wrk/server p99)\n' \
    "${AUDIT_ROWS}" "${AUDIT_OLD_ROWS}"
  line="$(printf '%-34s' metric)"
  for b in "${backends[@]}"; do line+="$(printf ' %-16s' "${b}")"; done
  printf '%s\n' "${line}"
  while IFS='|' read -r key label; do
    line="$(printf '%-34s' "${label}")"
    for b in "${backends[@]}"; do line+="$(printf ' %-16s' "${AUDIT_RESULTS[${b}.${key}]:--}")"; done
    printf '%s\n' "${line}"
  done <<'ROWS'
rps|/v1/me req/s (wrk -c64)
requests|wrk requests
non2xx|wrk non-2xx
written|audit rows written
dropped|audit rows dropped
rejected|requests rejected (503)
match|written == answered
writer|writer rows/s
ratio|writer / req rate (>= 1.5)
load_s|load s (+ vacuum s)
bytes_row|bytes/row (with indexes)
read_none|read unfiltered p50/p99
read_credential|read credential_id p50/p99
read_user|read user_id p50/p99
read_status500|read status=500 p50/p99
read_route|read route p50/p99
read_window|read 1 h window p50/p99
p99_base|/v1/me p99 alone wrk/server
p99_prune|/v1/me p99 in prune wrk/server
prune_s|prune s
pruned|rows pruned
prune_rate|rows/s pruned beside wrk
ROWS
}

main() {
  bench_init
  trap 'audit_stop_background; bench_cleanup; ambit_pg_stop' EXIT
  printf 'audit: %s rows over %s days, %s expired; rate wrk -t%s -c%s -d%ss, reads wrk -t1 -c4 -d%ss, prune wrk -d%ss\n' \
    "${AUDIT_ROWS}" "${AUDIT_DAYS}" "${AUDIT_OLD_ROWS}" "${BENCH_THREADS}" "${BENCH_CONNECTIONS}" \
    "${AUDIT_RATE_SECONDS}" "${AUDIT_READ_SECONDS}" "${AUDIT_PRUNE_SECONDS}"
  local b
  for b in ${AUDIT_BACKENDS}; do
    case "${b}" in
      sqlite)
        audit_backend sqlite "${AUDIT_CONFIG}"
        ;;
      postgresql)
        ambit_pg_start >/dev/null
        local pg_config="${BENCH_TMP}/bench-audit-pg.json"
        sed -e 's|"plugins"|"database": {"url": "'"${AMBIT_TEST_PG_URL}"'", "pool_size": 16}, "plugins"|' \
          "${AUDIT_CONFIG}" >"${pg_config}"
        audit_backend postgresql "${pg_config}"
        ambit_pg_stop
        ;;
      *) ambit_error "unknown backend ${b} (sqlite, postgresql)"; return 1 ;;
    esac
  done
  audit_table
}

main "$@"
