#!/usr/bin/env bash
# The long chaos run (issue 11; tests/chaos/README.md): at least 1,000 checkouts by concurrent
# shoppers while a fault thread kills and restarts services, the gateway and Apache Kafka,
# freezes payments, inventory and the broker, and restarts PostgreSQL; then it waits for the
# store to settle and prints the ledger's ten counts (all must be 0), how long the store took
# to settle after the last fault, and the totals.
#
# Builds nothing: build first (cmake --build --preset release, or sf-build chaos-run and the
# services). chaos-run starts its own local stack (infra/local/stack) on free ports with a
# throwaway state directory, kept when the run is not clean. Needs Java (Apache Kafka), like
# the stack. Exits as chaos-run does: 0 when the store settled with every count 0, 1 when not.
# Usage: bench/chaos.sh [chaos-run options], e.g. --seed 42, --checkouts 2000, --without broker-kill
# (chaos-run --help lists them; later options win over the defaults below).
#
# Defaults: 12 shoppers, 1200 checkouts paced over 360 s of faults (about 3.3 a second, in waves
# of 12), every fault kind, 5 units of the scarce product, settle bound 120 s.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"

bin="${STOREFRONT_BUILD_DIR:-$STOREFRONT_ROOT/build/release}/bin"
[[ -x "$bin/chaos-run" ]] || die "$bin/chaos-run is missing: build first (cmake --build --preset release)"
echo "chaos run on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$STOREFRONT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
start=$SECONDS
status=0
"$bin/chaos-run" --shoppers 12 --checkouts 1200 --seconds 360 "$@" || status=$?
echo "wall time $((SECONDS - start)) s (stack start-up and shutdown included), exit $status"
exit "$status"
