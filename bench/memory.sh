#!/usr/bin/env bash
# Measures the memory of every process of the store, at rest and under the load generator, and
# prints the figures. The container memory limits (docker-compose.yml, infra/k8s) come from the
# peaks; re-run this after a change that could move them and compare (infra/docker/README.md,
# "Memory").
#
# Starts the local stack (infra/local/stack) on free ports with a throwaway state directory,
# waits until it is at rest, samples it, then drives it with bench/load.sh's Locust shoppers at
# a fixed rate (browse, search, product pages, cart changes, checkout: the saga through every
# service; shipments move on within seconds, so the consumers, relays and shipping's ticker run
# too), sampling every second, then stops the stack. Build first (infra/local/up or cmake
# --build --preset release).
# Usage: bench/memory.sh [--seconds S (of load, 60)] [--users N (20)] [--rate R (steps/s, 100)]
#
# Figures, per process:
#   PSS   proportional set size (/proc/<pid>/smaps_rollup): the resident pages, each shared one
#         divided among the processes sharing it, so the figures of several processes add up to
#         what they take together (shared libraries count once in the sum)
#   RSS   resident set size, beside it: shared pages counted whole in every process
#   rest  one sample after 10 s without a request; load: the highest sample during the load
#   peak  VmHWM, the kernel's high-water mark of the resident set over the process's life
#   cpu s CPU seconds (user + system) during the load; divide by the seconds for average cores
# "store" is the six services and the gateway together. The broker (Kafka's JVM) and PostgreSQL
# (the postmaster with all its backends) follow; for PostgreSQL the PSS counts its shared buffers
# once, the RSS once per backend that touched them.
# Then the most PostgreSQL sessions each role held at one sample, and the load's own figures.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds=60 users=20 rate=100
while (($# > 0)); do
  case "$1" in
    --seconds) seconds="${2:-}" && shift 2 ;;
    --users) users="${2:-}" && shift 2 ;;
    --rate) rate="${2:-}" && shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    # The former single argument: seconds of load.
    *) [[ "$1" =~ ^[1-9][0-9]*$ ]] && seconds="$1" && shift || die "unknown option '$1' (--help lists them)" ;;
  esac
done
for value in "$seconds" "$users" "$rate"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "'$value' is not a positive whole number"
done
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
ensure_locust

readonly STORE=(catalog cart checkout payments inventory shipping gateway)
top="$(mktemp -d /tmp/storefront-memory-XXXXXX)"
chmod 755 "$top"
state="$top/stack"
load_pid=""
cleanup() {
  [[ -z "$load_pid" ]] || kill "$load_pid" 2>/dev/null || true
  stop_stack
  rm -rf "$top"
}
trap cleanup EXIT

lift_rate_limits
STOREFRONT_OPERATOR_PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export STOREFRONT_OPERATOR_PASSWORD
# Shipments are dispatched and delivered within seconds, so every consumer has work.
start_stack "$state" STOREFRONT_METRICS=off STOREFRONT_PROMETHEUS=off STOREFRONT_ZIPKIN=off TRACE_SAMPLE_PERCENT=0 \
  SHIPPING_DISPATCH_DELAY_MS=2000 SHIPPING_DELIVERY_DELAY_MS=2000 || die "the stack did not start"
declare -A pid
for name in "${STORE[@]}" broker postgres; do
  [[ -s "$state/run/$name.pid" ]] || die "no $name running (is every service built?)"
  pid[$name]="$(<"$state/run/$name.pid")"
done

# pss_rss_kib PID: "PSS RSS" of PID in KiB, both from one read of its smaps_rollup; for the
# postmaster, of it and all its children together.
pss_rss_kib() {
  local root="$1" p
  local -a members=("$root")
  [[ "$root" != "${pid[postgres]}" ]] || mapfile -t -O 1 members < <(ps --ppid "$root" -o pid= 2>/dev/null)
  for p in "${members[@]}"; do cat "/proc/${p// /}/smaps_rollup" 2>/dev/null || true; done |
    awk '$1 == "Pss:" {pss += $2} $1 == "Rss:" {rss += $2} END {print pss + 0, rss + 0}'
}
declare -A figure  # NAME,rest_pss / rest_rss / load_pss / load_rss -> KiB
# sample WHEN: every process's PSS and RSS; rest keeps the sample, load the highest of each.
sample() {
  local when="$1" name pss rss
  for name in "${STORE[@]}" broker postgres; do
    read -r pss rss < <(pss_rss_kib "${pid[$name]}")
    if [[ "$when" == rest ]] || ((pss > ${figure[$name,${when}_pss]:-0})); then figure[$name,${when}_pss]=$pss; fi
    if [[ "$when" == rest ]] || ((rss > ${figure[$name,${when}_rss]:-0})); then figure[$name,${when}_rss]=$rss; fi
  done
}
declare -A peak_connections
sample_connections() {
  local role count
  while read -r role count; do
    [[ -n "$role" ]] || continue
    if ((count > ${peak_connections[$role]:-0})); then peak_connections[$role]=$count; fi
  done < <(stack_psql "$state" -c "SELECT usename, count(*) FROM pg_stat_activity WHERE usename IS NOT NULL
          AND usename <> 'postgres' GROUP BY usename" 2>/dev/null || true)
}

log "at rest: 10 s without a request"
sleep 10
sample rest
processes=()
for name in "${STORE[@]}" broker postgres; do processes+=("$name=${pid[$name]}"); done
cpu_before="$(cpu_ticks "${processes[@]}")"

log "under load: bench/load.sh, $users shoppers at $rate steps/s for ${seconds}s"
"$STOREFRONT_ROOT/bench/load.sh" --gateway "http://127.0.0.1:$GATEWAY_PORT" --only rate --users "$users" \
  --rate "$rate" --seconds "$seconds" >"$top/load.out" 2>"$top/load.err" &
load_pid=$!
while kill -0 "$load_pid" 2>/dev/null; do
  sample load
  sample_connections
  sleep 1
done
load_status=0
wait "$load_pid" || load_status=$?
load_pid=""
((load_status == 0)) || { cat "$top/load.err" >&2; die "the load generator failed"; }
cpu_after="$(cpu_ticks "${processes[@]}")"
declare -A cpu
while read -r name value; do cpu[$name]="$value"; done < <(cpu_seconds_between "$cpu_before" "$cpu_after")

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
echo "storefront memory on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(bench_revision); load: $users shoppers, $rate steps/s, ${seconds}s"
printf '%-10s %9s %9s %9s %9s %9s %7s\n' process "rest PSS" "rest RSS" "load PSS" "load RSS" "peak RSS" "cpu s"
printf '%-10s %9s %9s %9s %9s %9s %7s\n' "" MiB MiB MiB MiB MiB ""
declare -A sum
for name in "${STORE[@]}" broker postgres; do
  hwm="-"
  [[ "$name" == postgres ]] || hwm="$(mib "$(awk '/^VmHWM:/ {print $2}' "/proc/${pid[$name]}/status")")"
  printf '%-10s %9s %9s %9s %9s %9s %7s\n' "$name" "$(mib "${figure[$name,rest_pss]}")" "$(mib "${figure[$name,rest_rss]}")" \
    "$(mib "${figure[$name,load_pss]}")" "$(mib "${figure[$name,load_rss]}")" "$hwm" "${cpu[$name]}"
  if [[ "$name" != broker && "$name" != postgres ]]; then
    for kind in rest_pss rest_rss load_pss load_rss; do sum[$kind]=$((${sum[$kind]:-0} + ${figure[$name,$kind]})); done
  fi
  if [[ "$name" == gateway ]]; then
    printf '%-10s %9s %9s %9s %9s %9s %7s\n' "store" "$(mib "${sum[rest_pss]}")" "$(mib "${sum[rest_rss]}")" \
      "$(mib "${sum[load_pss]}")" "$(mib "${sum[load_rss]}")" "" ""
  fi
done
echo "(store: the six services and the gateway; its load figures add each process's own highest sample)"
echo
printf 'PostgreSQL sessions per role, peak:'
for role in $(printf '%s\n' "${!peak_connections[@]}" | sort); do printf ' %s=%s' "$role" "${peak_connections[$role]}"; done
echo
echo
sed -n '2,$p' "$top/load.out"
