#!/usr/bin/env bash
# Measures what metrics and traces cost (issue 13): the gateway's read throughput and the checkout
# rate with them off and on, in one run, beside a reference measured in the same run.
#
# Starts the local stack (infra/local/stack) twice per round, each time on free ports with a
# throwaway state directory, rate limits lifted, in this order:
#   OFF  STOREFRONT_METRICS=off STOREFRONT_PROMETHEUS=off STOREFRONT_ZIPKIN=off TRACE_SAMPLE_PERCENT=0:
#        no process serves /metrics, nothing is scraped, the gateway samples no trace (so no
#        request's span is recorded anywhere downstream either) and nothing is exported. What
#        stays: the in-process counters and histograms still count (prometheus-cpp's registry is
#        always there, only the endpoint is not), trace ids still travel and are logged, and a
#        span a service starts on its own (an event without trace context) is still recorded
#        and then dropped unexported.
#   ON   STOREFRONT_METRICS=on STOREFRONT_PROMETHEUS=on STOREFRONT_ZIPKIN=on TRACE_SAMPLE_PERCENT=100:
#        every process serves /metrics, the stack's Prometheus scrapes each every 5 s, every trace
#        is recorded and every span exported to the stack's Zipkin.
# In each, one after the other:
#   product by id  wrk -t1 -c64 --latency GET /api/v1/products/{id} for READ seconds, after 3 s of
#                  the same load not counted (gateway -> gRPC -> catalog -> PostgreSQL)
#   checkout       build/release/bin/storefront-checkout-load: 8 shoppers, each a loop of empty the
#                  cart, add one product, POST /api/v1/checkout (the saga through every service),
#                  WARMUP seconds not counted then CHECKOUT seconds measured
# and over each measured phase the store's CPU seconds from /proc: every process of the stack,
# PostgreSQL's backends, the JVM of Kafka and, in ON, Zipkin's JVM and Prometheus; not wrk's or
# the driver's.
# The reference: nginx (Debian's package) serving the same product's JSON from a file, with the
# same wrk settings, once between the first OFF and ON stacks and once after the last one, with
# no stack running; the two bracket the run and show how much the machine itself drifted.
#
# Build first (storefront-checkout-load and the stack: `sf-build storefront-checkout-load` plus
# the services, or cmake --build --preset release). On a shared machine hold the build lock for
# the whole run so that no build or test runs beside it:
#   flock /tmp/sf-build.lock bench/observability_cost.sh [options]
# Options (defaults in brackets):
#   --read-seconds S      wrk seconds per stack [15]
#   --checkout-seconds S  checkout seconds measured per stack [30]
#   --warmup S            checkout warm-up seconds per stack [5]
#   --shoppers N          concurrent shoppers [8]
#   --rounds N            OFF/ON pairs, one after the other in one run [1]; more to see the noise
#   --keep-state          keep every stack's state directory (logs, data) and print where
# STOREFRONT_KAFKA=dev in the environment runs the development broker instead of Apache Kafka in
# both modes. Progress goes to stderr; the figures and the table to stdout.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_seconds=15 checkout_seconds=30 warmup=5 shoppers=8 rounds=1 keep_state=0
while (($# > 0)); do
  case "$1" in
    --read-seconds) read_seconds="${2:-}" && shift 2 ;;
    --checkout-seconds) checkout_seconds="${2:-}" && shift 2 ;;
    --warmup) warmup="${2:-}" && shift 2 ;;
    --shoppers) shoppers="${2:-}" && shift 2 ;;
    --rounds) rounds="${2:-}" && shift 2 ;;
    --keep-state) keep_state=1 && shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    *) die "unknown option '$1' (--help lists them)" ;;
  esac
done
for value in "$read_seconds" "$checkout_seconds" "$shoppers" "$rounds"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "'$value' is not a positive whole number"
done
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup '$warmup' is not a whole number"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx; infra/packages.txt [test])"
build_dir="$(realpath -m "${STOREFRONT_BUILD_DIR:-$STOREFRONT_ROOT/build/release}")"
load="$build_dir/bin/storefront-checkout-load"
[[ -x "$load" ]] || die "$load is missing: sf-build storefront-checkout-load"

readonly WRK_SETTINGS=(-t1 -c64)
readonly PROCESSES=(catalog cart checkout payments inventory shipping gateway broker)
top="$(mktemp -d /tmp/storefront-obscost-XXXXXX)"
chmod 755 "$top"  # nginx's workers (user nobody) read the reference's file inside
cleanup() {
  stop_nginx
  stop_stack
  if ((keep_state)); then
    log "state kept in $top"
  else
    rm -rf "$top"
  fi
}
trap cleanup EXIT

lift_rate_limits
# The checkout driver restocks the products as the operator; the gateway creates that account with
# this password at its first start (every stack here starts on an empty state directory).
STOREFRONT_OPERATOR_PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export STOREFRONT_OPERATOR_PASSWORD
# A backend of the caller's own must not turn OFF into "on" (the stack passes these through).
unset TRACE_EXPORT_URL TRACE_UI_URL METRICS_ADDR PROMETHEUS_URL TRACE_SAMPLE_PERCENT

declare -A fig  # figure,mode,round -> value

product_json=""  # the product's JSON, as the gateway answered it, for the nginx reference
product_id=""

# start_mode MODE STATE: the stack in MODE (off|on) (start_stack); sets gateway_port,
# metrics_ports (gateway's first), prometheus_port, zipkin_port.
start_mode() {
  local mode="$1" state="$2" name
  local -a env_args=()
  metrics_ports=() prometheus_port="" zipkin_port=""
  if [[ "$mode" == off ]]; then
    env_args+=(STOREFRONT_METRICS=off STOREFRONT_PROMETHEUS=off STOREFRONT_ZIPKIN=off TRACE_SAMPLE_PERCENT=0)
  else
    env_args+=(STOREFRONT_METRICS=on STOREFRONT_PROMETHEUS=on STOREFRONT_ZIPKIN=on TRACE_SAMPLE_PERCENT=100)
    for name in gateway catalog cart checkout payments inventory shipping; do
      pick_port && env_args+=("STOREFRONT_${name^^}_METRICS_PORT=$PORT") && metrics_ports+=("$PORT")
    done
    pick_port && prometheus_port="$PORT" && env_args+=(STOREFRONT_PROMETHEUS_PORT="$PORT")
    pick_port && zipkin_port="$PORT" && env_args+=(STOREFRONT_ZIPKIN_PORT="$PORT")
  fi
  start_stack "$state" "${env_args[@]}" || return 1
  gateway_port="$GATEWAY_PORT"
  log "$mode: ready"
}

# run_stack MODE ROUND: one stack in MODE (off|on), measured, stopped.
run_stack() {
  local mode="$1" round="$2"
  local state="$top/$mode-$round"
  local name gateway_port prometheus_port zipkin_port attempt
  local -a metrics_ports
  for attempt in 1 2 3; do
    log "round $round, $mode: starting the stack in $state"
    start_mode "$mode" "$state" && break
    if ((attempt == 3)); then
      keep_state=1
      die "the stack did not start three times (its logs: $state/logs)"
    fi
    log "round $round, $mode: the stack did not start (above); again on other ports"
  done
  for name in "${PROCESSES[@]}"; do
    [[ -s "$state/run/$name.pid" ]] || { keep_state=1; die "no $name running (is every service built?)"; }
  done

  # The mode is what the processes were given, not only what was asked: read their environment.
  local exported=0 with_metrics=0 environment sample=""
  for name in "${PROCESSES[@]}"; do
    [[ "$name" != broker ]] || continue
    environment="$(tr '\0' '\n' <"/proc/$(<"$state/run/$name.pid")/environ")"
    if grep -q '^METRICS_ADDR=' <<<"$environment"; then with_metrics=$((with_metrics + 1)); fi
    if grep -q '^TRACE_EXPORT_URL=' <<<"$environment"; then exported=$((exported + 1)); fi
    if [[ "$name" == gateway ]]; then sample="$(sed -n 's/^TRACE_SAMPLE_PERCENT=//p' <<<"$environment")"; fi
  done
  local check="$with_metrics of 7 processes with METRICS_ADDR, $exported with TRACE_EXPORT_URL, gateway TRACE_SAMPLE_PERCENT=${sample:-unset}"
  if [[ "$mode" == off ]]; then
    ((with_metrics == 0 && exported == 0)) && [[ "$sample" == 0 ]] || { keep_state=1; die "OFF is not off: $check"; }
    [[ ! -s "$state/run/prometheus.pid" && ! -s "$state/run/zipkin.pid" ]] || die "OFF runs Prometheus or Zipkin"
  else
    ((with_metrics == 7 && exported == 7)) && [[ "$sample" == 100 ]] || { keep_state=1; die "ON is not on: $check"; }
  fi
  fig[check,$mode,$round]="$check"

  local base="http://127.0.0.1:$gateway_port"
  local id
  id="$(curl -fsS "$base/api/v1/products?limit=1" | grep -oE '"id":"[0-9a-f-]{36}"' | head -n 1 | cut -d'"' -f4)"
  [[ -n "$id" ]] || die "the catalog listed no product"
  if [[ -z "$product_json" ]]; then
    product_id="$id"
    product_json="$top/product.json"
    curl -fsS "$base/api/v1/products/$id" >"$product_json"
  fi

  log "round $round, $mode: product by id, wrk ${WRK_SETTINGS[*]} ${read_seconds}s"
  # Answers from the stale-read copy are not reads of the catalog: counted (the gateway logs each
  # at warn) so that a figure they inflated shows.
  local stale_before
  stale_before="$(grep -c 'served stale' "$state/logs/gateway.log" || true)"
  local -a processes=()  # NAME=PID of every process whose CPU time is measured
  for name in "${PROCESSES[@]}" prometheus zipkin postgres; do
    if [[ -s "$state/run/$name.pid" ]]; then processes+=("$name=$(<"$state/run/$name.pid")"); fi
  done
  wrk_measure "$read_seconds" "$base/api/v1/products/$id" "$state/wrk.out" "${processes[@]}"
  local what
  for what in rps p50 p99 errors; do
    fig[read_$what,$mode,$round]="$(wrk_figure "$state/wrk.out" "$what")"
  done
  fig[read_stale,$mode,$round]=$(($(grep -c 'served stale' "$state/logs/gateway.log" || true) - stale_before))
  # Store CPU microseconds per read, and by process (in the order the checkout phase prints them).
  local requests
  requests="$(wrk_figure "$state/wrk.out" requests)"
  fig[read_cpu_us,$mode,$round]="$(awk -v n="$requests" '{s += $2} END {if (n > 0) printf "%.1f", s * 1000000 / n}' "$state/wrk.out.cpu")"
  fig[read_cpu_by_process,$mode,$round]="$(for name in "${processes[@]}"; do
    awk -v n="${name%%=*}" '$1 == n {printf "%s %s", $1, $2}' "$state/wrk.out.cpu"; echo; done | paste -sd, | sed 's/,/, /g')"
  fig[read_cpu_total,$mode,$round]="$(awk '{s += $2} END {printf "%.1f", s}' "$state/wrk.out.cpu")"

  log "round $round, $mode: checkout, $shoppers shoppers, ${warmup}s warm-up + ${checkout_seconds}s"
  local -a cpu_args=()
  for name in "${processes[@]}"; do cpu_args+=(--cpu "$name"); done
  local load_status=0
  "$load" --port "$gateway_port" --shoppers "$shoppers" --seconds "$checkout_seconds" --warmup "$warmup" \
    "${cpu_args[@]}" >"$state/checkout.out" 2>"$state/checkout.err" || load_status=$?
  if ((load_status == 2)) || ! grep -q '^figures:' "$state/checkout.out"; then
    cat "$state/checkout.err" >&2
    keep_state=1
    die "the checkout driver failed (status $load_status)"
  fi
  sed "s/^/  [$mode $round] /" "$state/checkout.out" >&2
  local pair
  for pair in $(sed -n 's/^figures: //p' "$state/checkout.out"); do
    fig[${pair%%=*},$mode,$round]="${pair#*=}"
  done
  fig[answers,$mode,$round]="$(sed -n 's/^checkout answers *//p' "$state/checkout.out")"
  fig[cpu_by_process,$mode,$round]="$(sed -n 's/^ *by process, s: //p' "$state/checkout.out")"

  if [[ "$mode" == on ]]; then
    # That the ON figures are whole: every span exported (a full queue drops them, which would
    # make ON look cheaper than it is), every target scraped, every service in Zipkin.
    local i port metrics exported_spans=0 dropped=0 failures=0 dropped_here dropped_by=""
    local -a metrics_names=(gateway catalog cart checkout payments inventory shipping)
    for i in "${!metrics_ports[@]}"; do
      port="${metrics_ports[i]}"
      metrics="$(curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" || true)"
      exported_spans=$((exported_spans + $(awk '/^trace_spans_exported_total/ {n += $2} END {printf "%d", n}' <<<"$metrics")))
      dropped_here="$(awk '/^trace_spans_dropped_total/ {n += $2} END {printf "%d", n}' <<<"$metrics")"
      dropped=$((dropped + dropped_here))
      ((dropped_here == 0)) || dropped_by+="${dropped_by:+, }${metrics_names[i]} $dropped_here"
      failures=$((failures + $(awk '/^trace_export_failures_total/ {n += $2} END {printf "%d", n}' <<<"$metrics")))
    done
    [[ -z "$dropped_by" ]] || dropped="$dropped ($dropped_by)"
    local up services
    up="$(curl -fsS --max-time 5 "http://127.0.0.1:$prometheus_port/api/v1/query?query=up" | grep -o '"1"\]' | wc -l)"
    services="$(curl -fsS --max-time 5 "http://127.0.0.1:$zipkin_port/api/v2/services" | tr -d '[]"' || true)"
    fig[on_check,$mode,$round]="spans exported $exported_spans, dropped $dropped, export failures $failures (all processes, whole run); Prometheus targets up $up of 7; Zipkin services: $services"
  fi

  log "round $round, $mode: stopping the stack"
  stop_stack
}

# reference LABEL: nginx serving the product's JSON from a file, measured like the gateway.
reference() {
  local label="$1"
  local dir="$top/nginx-$label"
  mkdir -p "$dir/www/api/v1/products"
  cp "$product_json" "$dir/www/api/v1/products/$product_id"
  start_nginx "$dir"
  local port="$NGINX_PORT"
  cmp -s "$product_json" <(curl -fsS "http://127.0.0.1:$port/api/v1/products/$product_id") ||
    die "nginx does not serve the product's JSON (see $dir/error.log)"
  log "reference ($label): nginx, wrk ${WRK_SETTINGS[*]} ${read_seconds}s"
  wrk_measure "$read_seconds" "http://127.0.0.1:$port/api/v1/products/$product_id" "$dir/wrk.out"
  local what
  for what in rps p50 p99 errors; do
    fig[nginx_$what,$label]="$(wrk_figure "$dir/wrk.out" "$what")"
  done
  stop_nginx
}

revision="$(bench_revision)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "observability cost: $rounds round(s), results in about $((rounds * 2 * (read_seconds + checkout_seconds + warmup + 90) / 60 + 1)) minutes"
run_start=$SECONDS
for round in $(seq 1 "$rounds"); do
  run_stack off "$round"
  ((round > 1)) || reference between
  run_stack on "$round"
done
reference end

# --- the table ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == 0) print "-"; else printf "%.3f", b / a }'; }
row() {  # row LABEL KEY ROUND
  local off="${fig[$2,off,$3]:-}" on="${fig[$2,on,$3]:-}"
  printf '%-36s %5s %10s %10s %8s\n' "$1" "$3" "$off" "$on" "$(ratio "$off" "$on")"
}
echo "observability cost on $(nproc) cores (shared by the stack and the load), $started, $revision"
echo "wrk ${WRK_SETTINGS[*]} for ${read_seconds}s after 3s not counted; checkout: $shoppers shoppers, ${warmup}s warm-up, ${checkout_seconds}s measured"
echo "OFF: no /metrics endpoint, no Prometheus, no Zipkin, TRACE_SAMPLE_PERCENT=0 (in-process counters still count)"
echo "ON:  /metrics on every process scraped every 5 s by Prometheus, every trace sampled and exported to Zipkin"
echo
printf '%-36s %5s %10s %10s %8s\n' scenario round OFF ON ON/OFF
for round in $(seq 1 "$rounds"); do
  row "product by id, req/s" read_rps "$round"
  row "  latency p50, ms" read_p50 "$round"
  row "  latency p99, ms" read_p99 "$round"
  row "  failed requests" read_errors "$round"
  row "  served stale (not from catalog)" read_stale "$round"
  row "  store CPU us per read" read_cpu_us "$round"
  row "checkouts/s (201)" checkouts_per_second "$round"
  row "  checkout call p50, ms" checkout_p50_ms "$round"
  row "  checkout call p90, ms" checkout_p90_ms "$round"
  row "  checkout call p99, ms" checkout_p99_ms "$round"
  row "  cycle p50, ms" cycle_p50_ms "$round"
  row "  cycle p99, ms" cycle_p99_ms "$round"
  row "  store CPU ms per checkout" cpu_ms_per_checkout "$round"
  row "  cart steps failed" cart_failures "$round"
done
echo
printf 'reference: nginx %s serving the same JSON from a file, wrk %s:\n' \
  "$(nginx -v 2>&1 | sed 's/.*nginx\///')" "${WRK_SETTINGS[*]}"
for label in between end; do
  printf '  %-8s %10s req/s, p50 %s ms, p99 %s ms, failed %s\n' "$label" "${fig[nginx_rps,$label]}" \
    "${fig[nginx_p50,$label]}" "${fig[nginx_p99,$label]}" "${fig[nginx_errors,$label]}"
done
echo "  (between: after the first OFF stack stopped; end: after the last ON stack stopped)"
echo
for round in $(seq 1 "$rounds"); do
  for mode in off on; do
    echo "round $round ${mode^^}: reads: store CPU ${fig[read_cpu_total,$mode,$round]} s in ${read_seconds} s, by process: ${fig[read_cpu_by_process,$mode,$round]}"
    echo "round $round ${mode^^}: checkout answers:${fig[answers,$mode,$round]}"
    echo "round $round ${mode^^}: checkouts: store CPU s by process: ${fig[cpu_by_process,$mode,$round]}"
    echo "round $round ${mode^^}: ${fig[check,$mode,$round]}"
  done
  echo "round $round ON: ${fig[on_check,on,$round]}"
done
echo "wall time $((SECONDS - run_start)) s"
