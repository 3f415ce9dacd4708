#!/usr/bin/env bash
# Measures the peak memory of every process of the store under load and prints the figures.
# The container memory limits (docker-compose.yml, infra/k8s) come from these figures; re-run
# this after a change that could move them and compare (infra/docker/README.md, "Memory").
#
# Starts the local stack (infra/local/stack) on free ports with a throwaway state directory,
# drives it for a bounded time, reads each process's peak resident set, then stops the stack
# with SIGTERM. Build first (infra/local/up or cmake --build --preset release).
# Usage: bench/memory.sh [seconds of load, default 30]
#
# Load, all at once for the whole time:
#   wrk -t1 -c16 GET /api/v1/products?limit=20               gateway -> catalog -> PostgreSQL
#   wrk -t1 -c16 GET /api/v1/products?query=wireless&limit=20  full-text search
#   4 shoppers in a loop: register, log in (argon2id: 64 MiB per hash in the gateway), add to
#   cart, quote shipping, check out (the saga through every service), list orders. Shipments
#   are dispatched and delivered within seconds (SHIPPING_*_DELAY_MS), so the Kafka consumers,
#   the relays and shipping's ticker run too.
#
# Figures:
#   services, gateway, broker  VmHWM from /proc/<pid>/status: the kernel's high-water mark of the
#                              resident set over the process's whole life
#   postgres                   the highest sum, sampled every second, of the proportional set
#                              size (Pss, /proc/<pid>/smaps_rollup) of the postmaster and all its
#                              children: shared buffers count once, not once per backend
#   cpu s                      CPU seconds (user + system) each process used during the load,
#                              for the CPU requests; divide by the seconds for average cores
#   connections                the most PostgreSQL sessions each role held at one sample
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then die "usage: bench/memory.sh [seconds of load]"; fi
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"

readonly PROCESSES=(catalog cart checkout payments inventory shipping gateway broker)
state="$(mktemp -d /tmp/storefront-memory-XXXXXX)"
chmod 755 "$state"
port="$(free_port)"
export STOREFRONT_STATE_DIR="$state" STOREFRONT_GATEWAY_PORT="$port" STOREFRONT_LOG_LEVEL=warn
# One client address makes every request here: the gateway's per-address rate limits (a real
# store's defaults) would measure 429s, so they are lifted for the benchmark.
export RATE_LIMIT_GENERAL_QUOTA=1000000 RATE_LIMIT_GENERAL_WINDOW_SECONDS=1
export RATE_LIMIT_REGISTER_QUOTA=1000000 RATE_LIMIT_REGISTER_WINDOW_SECONDS=1
export RATE_LIMIT_LOGIN_QUOTA=1000000 RATE_LIMIT_LOGIN_WINDOW_SECONDS=1
export RATE_LIMIT_CHECKOUT_QUOTA=1000000 RATE_LIMIT_CHECKOUT_WINDOW_SECONDS=1
export LOGIN_FAILURES_PER_PAIR=1000 LOGIN_FAILURES_PER_EMAIL=1000000 LOGIN_FAILURES_PER_ADDRESS=1000000
STOREFRONT_PG_PORT="$(free_port)"
export STOREFRONT_PG_PORT
for svc in catalog cart checkout payments inventory shipping; do
  port_of_svc="$(free_port)"
  export "STOREFRONT_${svc^^}_PORT=$port_of_svc"
done
# Every child inherits the stack's environment: shipments move on within seconds.
export SHIPPING_DISPATCH_DELAY_MS=2000 SHIPPING_DELIVERY_DELAY_MS=2000

"$STOREFRONT_ROOT/infra/local/stack" >"$state/stack.out" 2>"$state/stack.err" &
stack=$!
load_pids=()
cleanup() {
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  kill -TERM "$stack" 2>/dev/null || true
  wait "$stack" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  grep -q 'storefront: ready' "$state/stack.out" 2>/dev/null && break
  kill -0 "$stack" 2>/dev/null || { cat "$state/stack.err" >&2; die "the stack did not start"; }
  sleep 0.5
done
grep -q 'storefront: ready' "$state/stack.out" || die "the stack was not ready after 120 s"
for name in "${PROCESSES[@]}"; do
  [[ -s "$state/run/$name.pid" ]] || die "no $name running (is every service built?)"
done

base="http://127.0.0.1:$port/api/v1"
mapfile -t products < <(curl -fsS "$base/products?limit=100" |
  grep -oE '"id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"' | cut -d'"' -f4)
((${#products[@]} > 0)) || die "the catalog listed no products"
address='{"name":"Ada Lovelace","line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"US"}'

# shopper N DEADLINE: one shopper after another until DEADLINE (epoch seconds); appends the
# checkout statuses to $state/checkouts.
shopper() {
  local n="$1" deadline="$2" i=0 email token product status
  while (($(date +%s) < deadline)); do
    i=$((i + 1))
    email="memory-$n-$i-$$@example.com"
    curl -fsS -o /dev/null -XPOST "$base/auth/register" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"correct horse battery\",\"name\":\"Shopper $n\"}" || continue
    token="$(curl -fsS -XPOST "$base/auth/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" |
      sed -E 's/.*"access_token":"([^"]+)".*/\1/')" || continue
    product="${products[RANDOM % ${#products[@]}]}"
    curl -sS -o /dev/null -XPOST "$base/cart/items" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"product_id\":\"$product\",\"quantity\":1}" || true
    curl -sS -o /dev/null -XPOST "$base/shipping/quotes" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"address\":$address}" || true
    status="$(curl -sS -o /dev/null -w '%{http_code}' -XPOST "$base/checkout" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
      -d "{\"shipping_address\":$address,\"shipping_option_id\":\"standard\",
           \"payment\":{\"card_number\":\"4242 4242 4242 4242\",\"exp_month\":12,\"exp_year\":2030,\"cvc\":\"123\"}}")" ||
      status=000
    echo "$status" >>"$state/checkouts"
    curl -sS -o /dev/null "$base/orders" -H "Authorization: Bearer $token" || true
  done
}

# Sum of Pss (KiB) of PID and its children.
pss_tree_kib() {
  local total=0 pid kib
  for pid in "$1" $(ps --ppid "$1" -o pid= 2>/dev/null); do
    kib="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)"
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

declare -A peak_connections
sample_connections() {
  local role count
  while read -r role count; do
    [[ -n "$role" ]] || continue
    if ((count > ${peak_connections[$role]:-0})); then peak_connections[$role]=$count; fi
  done < <(cd / || exit; runuser_if_root "$(pg_bindir)/psql" -X -q -At -F ' ' -h "$state/pg/run" \
    -p "$STOREFRONT_PG_PORT" -U postgres -d storefront \
    -c "SELECT usename, count(*) FROM pg_stat_activity WHERE usename IS NOT NULL
          AND usename <> 'postgres' GROUP BY usename" 2>/dev/null || true)
}
runuser_if_root() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# CPU time of PID in clock ticks (utime + stime; the fields after the command's closing paren).
cpu_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat")"
  stat="${stat##*) }"
  awk '{print $12 + $13}' <<<"$stat"
}
declare -A cpu_start
for name in "${PROCESSES[@]}"; do
  cpu_start[$name]="$(cpu_ticks "$(<"$state/run/$name.pid")")"
done

echo "storefront memory: $(date -u +%Y-%m-%d), ${seconds}s of load, $(nproc) cores shared with the load generators" >&2
deadline=$(($(date +%s) + seconds))
wrk -t1 -c16 -d"${seconds}s" "$base/products?limit=20" >"$state/wrk-page.out" &
load_pids+=($!)
wrk -t1 -c16 -d"${seconds}s" "$base/products?query=wireless&limit=20" >"$state/wrk-search.out" &
load_pids+=($!)
for n in 1 2 3 4; do
  shopper "$n" "$deadline" 2>/dev/null &
  load_pids+=($!)
done

postmaster="$(<"$state/run/postgres.pid")"
pg_peak_kib=0
while (($(date +%s) < deadline + 5)); do  # 5 s more: the last orders move through Kafka
  kib="$(pss_tree_kib "$postmaster")"
  if ((kib > pg_peak_kib)); then pg_peak_kib=$kib; fi
  sample_connections
  sleep 1
done
wait "${load_pids[@]}" 2>/dev/null || true
load_pids=()

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ticks_per_second="$(getconf CLK_TCK)"
printf '%-10s %10s %10s %8s\n' process "peak MiB" "now MiB" "cpu s"
for name in "${PROCESSES[@]}"; do
  pid="$(<"$state/run/$name.pid")"
  hwm="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")"
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
  cpu="$(awk -v a="${cpu_start[$name]}" -v b="$(cpu_ticks "$pid")" -v hz="$ticks_per_second" \
    'BEGIN {printf "%.1f", (b - a) / hz}')"
  printf '%-10s %10s %10s %8s\n' "$name" "$(mib "$hwm")" "$(mib "$rss")" "$cpu"
done
printf '%-10s %10s %10s %8s\n' postgres "$(mib "$pg_peak_kib")" "$(mib "$(pss_tree_kib "$postmaster")")" -
echo
printf 'PostgreSQL sessions per role, peak:'
for role in $(printf '%s\n' "${!peak_connections[@]}" | sort); do
  printf ' %s=%s' "$role" "${peak_connections[$role]}"
done
echo
printf 'requests/s: products page %s, search %s\n' \
  "$(awk '/Requests\/sec/ {print $2}' "$state/wrk-page.out")" \
  "$(awk '/Requests\/sec/ {print $2}' "$state/wrk-search.out")"
printf 'checkouts by HTTP status:'
sort "$state/checkouts" 2>/dev/null | uniq -c | awk '{printf " %s=%s", $2, $1}'
echo
