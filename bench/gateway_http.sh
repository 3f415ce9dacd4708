#!/usr/bin/env bash
# Measures the gateway's HTTP throughput on loopback with wrk and prints the figures.
#
# Starts the local stack (infra/local/stack) on free ports with a throwaway state directory,
# runs each scenario for a bounded time, then stops the stack. Build first (infra/local/up or
# cmake --build --preset release). Usage: bench/gateway_http.sh [seconds per scenario, default 5]
#
# Scenarios:
#   livez keep-alive         no upstream: the HTTP layer alone, connections reused (HTTP/1.1 default)
#   livez Connection: close  the same with a new TCP connection per request (what Pistache 0.0.5
#                            did to every client that sent no Connection header)
#   products page            GET /api/v1/products?limit=20: gateway -> gRPC -> catalog -> PostgreSQL
#   products search          GET /api/v1/products?query=wireless&limit=20 (full-text search)
#   product by id            GET /api/v1/products/{id}
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds="${1:-5}"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
state="$(mktemp -d /tmp/storefront-bench-XXXXXX)"
chmod 755 "$state"  # PostgreSQL (user postgres) reaches its data folder inside
cleanup() {
  stop_stack
  rm -rf "$state"
}
trap cleanup EXIT
lift_rate_limits
start_stack "$state/stack" || die "the stack did not start"

base="http://127.0.0.1:$GATEWAY_PORT"
id="$(curl -fsS "$base/api/v1/products?limit=1" | sed -E 's/.*"id":"([^"]+)".*/\1/')"
run() {
  local name="$1"
  shift
  local rps
  rps="$(wrk -t2 -c32 -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print $2}')"
  printf '%-28s %12s req/s\n' "$name" "$rps"
}
echo "gateway throughput, wrk -t2 -c32, ${seconds}s each, $(nproc) cores shared with the stack"
run "livez keep-alive" "$base/livez"
run "livez Connection: close" -H "Connection: close" "$base/livez"
run "products page (20)" "$base/api/v1/products?limit=20"
run "products search (20)" "$base/api/v1/products?query=wireless&limit=20"
run "product by id" "$base/api/v1/products/$id"
