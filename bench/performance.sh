#!/usr/bin/env bash
# The performance table (issue 15): Storefront's reads and checkouts, each beside a reference
# measured in the same run with the same client, on this machine.
#
#   reads     wrk -t1 -c64 --latency for READ seconds after 3 s not counted, on the gateway:
#             /livez (the HTTP layer alone), one product by id, the first products page (20),
#             a search (20) and the categories; the reference is nginx serving the very same
#             bytes from files, measured after the stack has stopped
#   half peak each read again at half the requests/s it reached, with wrk pacing every connection
#             (a Lua delay), for the latency a store sees when it is not saturated
#   checkout  build/release/bin/storefront-checkout-load, SHOPPERS shoppers (empty the cart, add
#             one product, POST /api/v1/checkout) for CHECKOUT seconds after WARMUP; the
#             reference is pgbench's TPC-B with as many clients against the same PostgreSQL,
#             run in the same stack just before
#   costs     the store's CPU per read and per checkout by process (from /proc, PostgreSQL's
#             backends under the postmaster, Kafka's JVM), PostgreSQL transactions and WAL
#             fsyncs per checkout (pg_stat_database, pg_stat_wal), transactions per second
#             while the store is idle, and the gateway's read-cache hit ratio (its /metrics)
#
# The stack runs as a store would: observability endpoints on but nothing scraping, no trace
# sampled (TRACE_SAMPLE_PERCENT=0), rate limits lifted (one client address makes every request).
# Build first (the stack and storefront-checkout-load: cmake --build --preset release). Hold the
# build lock so that no build or test shares the cores:
#   flock /tmp/sf-build.lock bench/performance.sh [options]
# Options (defaults in brackets):
#   --read-seconds S      seconds of each read measurement [15]
#   --checkout-seconds S  checkout seconds measured [30]
#   --warmup S            checkout warm-up seconds [5]
#   --shoppers N          concurrent shoppers, and pgbench's clients [8]
#   --statements          profile instead of measure: PostgreSQL loads pg_stat_statements and the
#                         checkout's statements are listed by calls per order (it costs some speed)
#   --checkout-only       measure only the checkout and its reference (for profiling it)
#   --keep-state          keep the state directory (logs, data, wrk output) and print where
# Progress goes to stderr; the table to stdout.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_seconds=15 checkout_seconds=30 warmup=5 shoppers=8 keep_state=0 statements=off checkout_only=0
while (($# > 0)); do
  case "$1" in
    --read-seconds) read_seconds="${2:-}" && shift 2 ;;
    --checkout-seconds) checkout_seconds="${2:-}" && shift 2 ;;
    --warmup) warmup="${2:-}" && shift 2 ;;
    --shoppers) shoppers="${2:-}" && shift 2 ;;
    --keep-state) keep_state=1 && shift ;;
    --checkout-only) checkout_only=1 && shift ;;
    --statements) statements=on && shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    *) die "unknown option '$1' (--help lists them)" ;;
  esac
done
for value in "$read_seconds" "$checkout_seconds" "$shoppers"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "'$value' is not a positive whole number"
done
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup '$warmup' is not a whole number"
for tool in wrk curl nginx; do command -v "$tool" >/dev/null || die "$tool is not installed (infra/packages.txt [test])"; done
pgbench="$(pg_bindir)/pgbench"
[[ -x "$pgbench" ]] || die "pgbench is missing ($pgbench; Debian's postgresql package)"
build_dir="$(realpath -m "${STOREFRONT_BUILD_DIR:-$STOREFRONT_ROOT/build/release}")"
load="$build_dir/bin/storefront-checkout-load"
[[ -x "$load" ]] || die "$load is missing: cmake --build --preset release"

readonly WRK_SETTINGS=(-t1 -c64)
readonly PROCESSES=(catalog cart checkout payments inventory shipping gateway broker postgres)
top="$(mktemp -d /tmp/storefront-perf-XXXXXX)"
chmod 755 "$top"
state="$top/stack"
cleanup() {
  stop_nginx
  stop_stack
  if ((keep_state)); then log "state kept in $top"; else rm -rf "$top"; fi
}
trap cleanup EXIT

lift_rate_limits
STOREFRONT_OPERATOR_PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export STOREFRONT_OPERATOR_PASSWORD
unset TRACE_EXPORT_URL TRACE_UI_URL METRICS_ADDR PROMETHEUS_URL TRACE_SAMPLE_PERCENT
declare -A fig

# --- the stack ------------------------------------------------------------------------------------
metrics_env=()
for name in gateway catalog cart checkout payments inventory shipping; do
  pick_port && metrics_env+=("STOREFRONT_${name^^}_METRICS_PORT=$PORT")
  [[ "$name" != gateway ]] || metrics_port="$PORT"
done
log "starting the stack in $state"
start_stack "$state" STOREFRONT_PG_STATEMENTS="$statements" STOREFRONT_METRICS=on "${metrics_env[@]}" \
  STOREFRONT_PROMETHEUS=off STOREFRONT_ZIPKIN=off TRACE_SAMPLE_PERCENT=0 ||
  { keep_state=1; die "the stack did not start (its logs: $state/logs)"; }
processes=()
for name in "${PROCESSES[@]}"; do
  [[ -s "$state/run/$name.pid" ]] || { keep_state=1; die "no $name running (is every service built?)"; }
  processes+=("$name=$(<"$state/run/$name.pid")")
done
base="http://127.0.0.1:$GATEWAY_PORT"

# transactions: committed plus rolled back in the store's database, and WAL fsyncs, so far.
transactions() { stack_psql "$state" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'storefront'"; }
wal_syncs() { stack_psql "$state" -c "SELECT wal_sync FROM pg_stat_wal"; }
orders() { stack_psql "$state" -c "SELECT count(*) FROM checkout.orders"; }
# cache_figure RESULT: the gateway's read-cache lookups with that result so far.
cache_figure() {
  curl -fsS "http://127.0.0.1:$metrics_port/metrics" |
    awk -v r="result=\"$1\"" 'index($0, "gateway_read_cache_lookups_total{") == 1 && index($0, r) {print $2}'
}

# --- idle -----------------------------------------------------------------------------------------
log "idle: 10 s of nothing (polling loops only)"
sleep 5
idle_before="$(transactions)" idle_ticks="$(cpu_ticks "${processes[@]}")"
sleep 10
fig[idle_tps]="$(awk -v a="$idle_before" -v b="$(transactions)" 'BEGIN {printf "%.1f", (b - a) / 10}')"
fig[idle_cpu]="$(cpu_seconds_between "$idle_ticks" "$(cpu_ticks "${processes[@]}")" | awk '{s += $2} END {printf "%.2f", s / 10}')"

# --- reads ----------------------------------------------------------------------------------------
id="$(curl -fsS "$base/api/v1/products?limit=1" | grep -oE '"id":"[0-9a-f-]{36}"' | head -n 1 | cut -d'"' -f4)"
[[ -n "$id" ]] || die "the catalog listed no product"
declare -A read_path=([livez]="/livez" [product]="/api/v1/products/$id" [page]="/api/v1/products?limit=20"
  [search]="/api/v1/products?query=wireless&limit=20" [categories]="/api/v1/categories")
READS=(livez product page search categories)
((checkout_only == 0)) || READS=()
readonly READS
declare -A read_label=([livez]="GET /livez (no upstream)" [product]="GET /api/v1/products/{id}"
  [page]="GET /api/v1/products?limit=20" [search]="products?query=wireless&limit=20" [categories]="GET /api/v1/categories")
mkdir -p "$top/nginx/www/ref"
for read in "${READS[@]}"; do
  curl -fsS "$base${read_path[$read]}" >"$top/nginx/www/ref/$read" || die "GET ${read_path[$read]} failed"
done

# pace.lua: wrk connections that wait WRK_INTERVAL_MS (jittered +-50 %) between requests.
cat >"$top/pace.lua" <<'EOF'
local interval = tonumber(os.getenv("WRK_INTERVAL_MS"))
function delay() return math.floor(interval * (0.5 + math.random())) end
EOF
# half_peak READ URL RPS OUT: wrk paced to RPS/2 requests a second in all: each connection waits
# about 5 ms between requests (whole milliseconds are wrk's unit), with as many connections as
# that takes (16 to 512).
half_peak() {
  local read="$1" url="$2" rps="$3" out="$4"
  local target connections interval
  target="$(awk -v r="$rps" 'BEGIN {printf "%d", r / 2}')"
  connections="$(awk -v t="$target" 'BEGIN {c = int(t * 0.005 + 0.5); if (c < 16) c = 16; if (c > 512) c = 512; print c}')"
  interval="$(awk -v t="$target" -v c="$connections" 'BEGIN {printf "%d", c * 1000 / t + 0.5}')"
  WRK_INTERVAL_MS="$interval" wrk -t1 -c"$connections" -d"${read_seconds}s" --latency -s "$top/pace.lua" "$url" >"$out"
  fig[half_target,$read]="$target"
}

for read in "${READS[@]}"; do
  log "read: ${read_label[$read]}, wrk ${WRK_SETTINGS[*]} ${read_seconds}s"
  hits_before="$(cache_figure hit)" misses_before="$(cache_figure miss)"
  wrk_measure "$read_seconds" "$base${read_path[$read]}" "$top/$read.wrk" "${processes[@]}"
  for what in rps p50 p99 errors; do fig[$what,$read]="$(wrk_figure "$top/$read.wrk" "$what")"; done
  requests="$(wrk_figure "$top/$read.wrk" requests)"
  fig[cpu_us,$read]="$(awk -v n="$requests" '{s += $2} END {if (n > 0) printf "%.1f", s * 1000000 / n}' "$top/$read.wrk.cpu")"
  fig[cpu_by,$read]="$(awk -v n="$requests" '$2 > 0 {printf "%s%s %.1f", sep, $1, $2 * 1000000 / n; sep = ", "}' "$top/$read.wrk.cpu")"
  hits=$(($(cache_figure hit) - hits_before)) misses=$(($(cache_figure miss) - misses_before))
  # (over wrk's 3 s not counted as well: the read's first request, a miss, is in there)
  fig[hit_ratio,$read]="$(awk -v h="$hits" -v m="$misses" 'BEGIN {if (h + m == 0) print "-"; else printf "%.4f", h / (h + m)}')"
  if [[ "$read" != livez ]]; then
    sleep 2
    log "read: ${read_label[$read]} at half of ${fig[rps,$read]} req/s"
    half_peak "$read" "$base${read_path[$read]}" "${fig[rps,$read]}" "$top/$read.half.wrk"
    for what in rps p50 p99 errors; do fig[half_$what,$read]="$(wrk_figure "$top/$read.half.wrk" "$what")"; done
  fi
  sleep 2
done

# --- pgbench TPC-B on the same PostgreSQL -----------------------------------------------------------
log "reference: pgbench TPC-B, $shoppers clients, ${checkout_seconds}s"
stack_psql "$state" -c "CREATE DATABASE pgbench"
(cd / && runuser_if_root "$pgbench" -h "$state/pg/run" -p "$PG_PORT" -U postgres -i -q -s 10 pgbench) >"$top/pgbench-init.out" 2>&1 ||
  { cat "$top/pgbench-init.out" >&2; die "pgbench -i failed"; }
(cd / && runuser_if_root "$pgbench" -h "$state/pg/run" -p "$PG_PORT" -U postgres -c "$shoppers" -j 2 \
  -T "$checkout_seconds" pgbench) >"$top/pgbench.out" 2>&1 || { cat "$top/pgbench.out" >&2; die "pgbench failed"; }
fig[pgbench_tps]="$(awk '/^tps/ {printf "%.1f", $3; exit}' "$top/pgbench.out")"
stack_psql "$state" -c "DROP DATABASE pgbench"

# --- checkout -------------------------------------------------------------------------------------
log "checkout: $shoppers shoppers, ${warmup}s warm-up + ${checkout_seconds}s"
cpu_args=()
for name in "${processes[@]}"; do cpu_args+=(--cpu "$name"); done
# Transactions and fsyncs per order placed, over the whole run (warm-up included; the 1 s
# settling after it lets the last orders' events finish, which belong to them).
if [[ "$statements" == on ]]; then
  stack_psql "$state" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
fi
tx_before="$(transactions)" wal_before="$(wal_syncs)" orders_before="$(orders)"
load_status=0
"$load" --port "$GATEWAY_PORT" --shoppers "$shoppers" --seconds "$checkout_seconds" --warmup "$warmup" \
  "${cpu_args[@]}" >"$top/checkout.out" 2>"$top/checkout.err" || load_status=$?
sleep 1
tx_after="$(transactions)" wal_after="$(wal_syncs)" placed=$(($(orders) - orders_before))
if ((load_status == 2)) || ! grep -q '^figures:' "$top/checkout.out"; then
  cat "$top/checkout.err" >&2
  keep_state=1
  die "the checkout driver failed (status $load_status)"
fi
sed 's/^/  [checkout] /' "$top/checkout.out" >&2
for pair in $(sed -n 's/^figures: //p' "$top/checkout.out"); do fig[${pair%%=*}]="${pair#*=}"; done
fig[tx_per_checkout]="$(awk -v a="$tx_before" -v b="$tx_after" -v n="$placed" 'BEGIN {if (n > 0) printf "%.1f", (b - a) / n; else print "-"}')"
fig[wal_per_checkout]="$(awk -v a="$wal_before" -v b="$wal_after" -v n="$placed" 'BEGIN {if (n > 0) printf "%.1f", (b - a) / n; else print "-"}')"
if [[ "$statements" == on ]] && ((placed > 0)); then
  stack_psql "$state" -c "SELECT round(calls::numeric / $placed, 2), round(total_exec_time::numeric / $placed, 3),
      pg_get_userbyid(userid), regexp_replace(left(query, 150), '\s+', ' ', 'g')
    FROM pg_stat_statements ORDER BY calls DESC LIMIT 40" >"$top/statements.txt"
fi
fig[checkout_cpu_by]="$(sed -n 's/^ *by process, s: //p' "$top/checkout.out")"
fig[answers]="$(sed -n 's/^checkout answers *//p' "$top/checkout.out")"

log "stopping the stack"
stop_stack

# --- the reference: nginx serving the same bytes --------------------------------------------------
((checkout_only == 1)) || start_nginx "$top/nginx"
for read in "${READS[@]}"; do
  cmp -s "$top/nginx/www/ref/$read" <(curl -fsS "http://127.0.0.1:$NGINX_PORT/ref/$read") ||
    die "nginx does not serve the bytes of $read (see $top/nginx/error.log)"
  log "reference: nginx, ${read_label[$read]}'s bytes, wrk ${WRK_SETTINGS[*]} ${read_seconds}s"
  wrk_measure "$read_seconds" "http://127.0.0.1:$NGINX_PORT/ref/$read" "$top/nginx-$read.wrk"
  for what in rps p50 p99 errors; do fig[nginx_$what,$read]="$(wrk_figure "$top/nginx-$read.wrk" "$what")"; done
done
((checkout_only == 1)) || stop_nginx

# --- the table ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
echo "performance on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), shared by the store and the load; $(date -u +%Y-%m-%dT%H:%M:%SZ), $(bench_revision)"
echo "reads: wrk ${WRK_SETTINGS[*]} for ${read_seconds}s after 3s not counted; reference: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') serving the same bytes, same wrk settings"
echo "checkout: $shoppers shoppers, ${warmup}s warm-up, ${checkout_seconds}s measured; reference: pgbench TPC-B (scale 10), $shoppers clients, ${checkout_seconds}s, same PostgreSQL"
echo
printf '| %-34s | %12s | %9s | %9s | %12s | %9s | %6s |\n' what Storefront "p50 ms" "p99 ms" reference "p99 ms" ratio
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..11})" \
  "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..8})"
for read in "${READS[@]}"; do
  printf '| %-34s | %8s r/s | %9s | %9s | %8s r/s | %9s | %6s |\n' "${read_label[$read]}" "${fig[rps,$read]}" \
    "${fig[p50,$read]}" "${fig[p99,$read]}" "${fig[nginx_rps,$read]}" "${fig[nginx_p99,$read]}" \
    "$(ratio "${fig[rps,$read]}" "${fig[nginx_rps,$read]}")"
done
printf '| %-34s | %6s co/s | %9s | %9s | %6s tps | %9s | %6s |\n' "checkout (cart, checkout)" "${fig[checkouts_per_second]:-0}" \
  "${fig[checkout_p50_ms]:--}" "${fig[checkout_p99_ms]:--}" "${fig[pgbench_tps]}" - \
  "$(ratio "${fig[checkouts_per_second]:-0}" "${fig[pgbench_tps]}")"
echo
echo "reads at half of their peak (wrk paced, each connection waiting ~5 ms between requests):"
printf '  %-34s %10s %10s %8s %8s %7s\n' read "aimed r/s" "got r/s" "p50 ms" "p99 ms" failed
for read in "${READS[@]}"; do
  [[ "$read" != livez ]] || continue
  printf '  %-34s %10s %10s %8s %8s %7s\n' "${read_label[$read]}" "${fig[half_target,$read]}" "${fig[half_rps,$read]}" \
    "${fig[half_p50,$read]}" "${fig[half_p99,$read]}" "${fig[half_errors,$read]}"
done
echo
echo "costs:"
for read in "${READS[@]}"; do
  printf '  %-34s store CPU %7s us per request (%s); failed %s; read-cache hit ratio %s\n' "${read_label[$read]}" \
    "${fig[cpu_us,$read]}" "${fig[cpu_by,$read]}" "${fig[errors,$read]}" "${fig[hit_ratio,$read]}"
done
echo "  checkout: store CPU ${fig[cpu_ms_per_checkout]:--} ms per checkout (by process, s: ${fig[checkout_cpu_by]})"
echo "  checkout: ${fig[tx_per_checkout]} PostgreSQL transactions and ${fig[wal_per_checkout]} WAL fsyncs per order placed ($placed orders, warm-up included); answers:${fig[answers]}"
if [[ -s "$top/statements.txt" ]]; then
  echo "  checkout statements, by calls per order (calls, exec ms, role, statement):"
  sed 's/^/    /' "$top/statements.txt"
fi
echo "  idle: ${fig[idle_tps]} PostgreSQL transactions/s and ${fig[idle_cpu]} CPU s/s with no request at all"
