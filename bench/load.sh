#!/usr/bin/env bash
# The load generator: Locust shoppers (bench/load/locustfile.py: browse, search, product pages,
# categories, cart changes, checkout, in Online Boutique's proportions) against the gateway,
# headless, first at a fixed rate, then at saturation. Prints, per step and in all: requests,
# failures, requests/s, and p50/p95/p99 latency in ms; then the store's CPU seconds by process
# and Locust's own (it shares the machine).
#
# Starts the local stack (infra/local/stack) on free ports with a throwaway state directory and
# the rate limits lifted, unless --gateway names a running one. Locust comes from PyPI into
# .cache/bench-venv the first time (bench/load/requirements.txt; Debian's python3-venv).
# Build first (infra/local/up or cmake --build --preset release).
# Usage: bench/load.sh [options]
#   --users N        simulated shoppers [20]
#   --rate R         steps per second of all shoppers together in the fixed-rate run [100]
#   --seconds S      seconds of each run, after the shoppers have signed in [30]
#   --only MODE      rate or saturate: only that run
#   --gateway URL    drive a running store (needs STOREFRONT_OPERATOR_PASSWORD, to restock)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

users=20 rate=100 seconds=30 only="" gateway=""
while (($# > 0)); do
  case "$1" in
    --users) users="${2:-}" && shift 2 ;;
    --rate) rate="${2:-}" && shift 2 ;;
    --seconds) seconds="${2:-}" && shift 2 ;;
    --only) only="${2:-}" && shift 2 ;;
    --gateway) gateway="${2:-}" && shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    *) die "unknown option '$1' (--help lists them)" ;;
  esac
done
for value in "$users" "$rate" "$seconds"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "'$value' is not a positive whole number"
done
[[ -z "$only" || "$only" == rate || "$only" == saturate ]] || die "--only takes rate or saturate"
ensure_locust

top="$(mktemp -d /tmp/storefront-load-XXXXXX)"
chmod 755 "$top"
cleanup() {
  stop_stack
  rm -rf "$top"
}
trap cleanup EXIT

readonly PROCESSES=(catalog cart checkout payments inventory shipping gateway broker postgres)
processes=()
if [[ -z "$gateway" ]]; then
  lift_rate_limits
  STOREFRONT_OPERATOR_PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export STOREFRONT_OPERATOR_PASSWORD
  start_stack "$top/stack" STOREFRONT_METRICS=off STOREFRONT_PROMETHEUS=off STOREFRONT_ZIPKIN=off TRACE_SAMPLE_PERCENT=0 ||
    die "the stack did not start (its logs: $top/stack/logs)"
  gateway="http://127.0.0.1:$GATEWAY_PORT"
  for name in "${PROCESSES[@]}"; do
    [[ -s "$top/stack/run/$name.pid" ]] || die "no $name running (is every service built?)"
    processes+=("$name=$(<"$top/stack/run/$name.pid")")
  done
fi
[[ -n "${STOREFRONT_OPERATOR_PASSWORD:-}" ]] || die "STOREFRONT_OPERATOR_PASSWORD is needed to restock the products"

# run MODE: one Locust run; its per-step table, and the CPU it and the store used, to stdout.
run() {
  local mode="$1" prefix="$top/locust-$1"
  log "$mode: $users shoppers for ${seconds}s$([[ "$mode" == rate ]] && echo ", $rate steps/s in all")"
  local before="" after locust_ticks=0 locust_status=0
  ((${#processes[@]} == 0)) || before="$(cpu_ticks "${processes[@]}")"
  local start_ticks
  start_ticks="$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)"
  # --reset-stats: the figures count from the moment every shopper runs (sign-ups before not).
  LOAD_MODE="$mode" LOAD_USERS="$users" LOAD_STEPS_PER_SECOND="$rate" \
    "$LOCUST" -f "$STOREFRONT_ROOT/bench/load/locustfile.py" --headless --host "$gateway" \
    --users "$users" --spawn-rate "$users" --run-time "${seconds}s" --reset-stats --stop-timeout 10 \
    --csv "$prefix" --only-summary --loglevel WARNING >"$prefix.out" 2>&1 || locust_status=$?
  # Locust exits 1 when some requests failed (counted below), higher when it failed itself.
  if ((${locust_status:-0} > 1)) || [[ ! -s "${prefix}_stats.csv" ]] ||
    (($(awk -F, '{n = $2; gsub(/"/, "", n)} n == "Aggregated" {c = $3 + 0} END {print c + 0}' "${prefix}_stats.csv") == 0)); then
    cat "$prefix.out" >&2
    die "Locust did not run the shoppers (status ${locust_status:-0}; its output is above)"
  fi
  locust_ticks=$(($(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat) - start_ticks))

  echo "$mode: $users shoppers, ${seconds}s$([[ "$mode" == rate ]] && echo ", aiming at $rate steps/s")"
  # Locust's columns: Type,Name,Request Count,Failure Count,Median,...,Requests/s,Failures/s,50%,
  # 66%,75%,80%,90%,95%,98%,99%,...
  awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
    { name = $col["Name"]; gsub(/"/, "", name); if (name == "Aggregated") name = "all steps"
      printf "  %-24s %9s %9s %9.1f %8s %8s %8s\n", name, $col["Request Count"], $col["Failure Count"],
        $col["Requests/s"], $col["50%"], $col["95%"], $col["99%"] }' "${prefix}_stats.csv" |
    sort -k1,1 | sed -e '1i\  step                      requests  failures     req/s  p50 ms  p95 ms  p99 ms'
  if [[ -s "${prefix}_failures.csv" ]] && (($(wc -l <"${prefix}_failures.csv") > 1)); then
    echo "  failures:"
    tail -n +2 "${prefix}_failures.csv" | sed 's/^/    /'
  fi
  if ((${#processes[@]} > 0)); then
    after="$(cpu_ticks "${processes[@]}")"
    printf '  store CPU s by process: %s\n' "$(cpu_seconds_between "$before" "$after" | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
  fi
  printf '  Locust CPU s: %s\n' "$(awk -v t="$locust_ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz}')"
}

echo "load generator on $(nproc) cores (shared by the store and Locust), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(bench_revision)"
[[ "$only" == saturate ]] || run rate
[[ "$only" == rate ]] || run saturate
