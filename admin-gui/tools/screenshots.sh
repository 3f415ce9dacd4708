#!/usr/bin/env bash
# Takes one PNG per page of the operator console, running storefront-admin under xvfb-run (no
# display needed) against a gateway. Each page is a separate run of the app:
#   storefront-admin --url URL --email EMAIL --password-env STOREFRONT_ADMIN_PASSWORD --autologin
#                    --page NAME --screenshot FILE --quit-after-screenshot
# The app grabs its window once the page has shown its data or its error (or after
# --screenshot-timeout), so a picture always shows what an operator would have seen.
#
# Usage: admin-gui/tools/screenshots.sh [PAGE...] [-- APP-OPTION...]
#   PAGE: signin dashboard products inventory orders shipments events health faults (default: all)
#   APP-OPTION: passed to every run, e.g. `-- --no-sign-in` to preview pages without an account
#
# Environment, with defaults:
#   STOREFRONT_ADMIN_URL       http://127.0.0.1:8080
#   STOREFRONT_ADMIN_EMAIL     operator@storefront.local
#   STOREFRONT_ADMIN_PASSWORD  (required for every page but signin) read by the app itself from
#                              the environment, so it never appears on a command line
#   STOREFRONT_ADMIN_BIN       <repo>/build/release/bin/storefront-admin
#   STOREFRONT_SCREENSHOT_DIR  <repo>/docs/screenshots   files are admin-<page>.png
#   STOREFRONT_SCREENSHOT_TIMEOUT  20                     seconds a page may take to load
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
url="${STOREFRONT_ADMIN_URL:-http://127.0.0.1:8080}"
email="${STOREFRONT_ADMIN_EMAIL:-operator@storefront.local}"
bin="${STOREFRONT_ADMIN_BIN:-$root/build/release/bin/storefront-admin}"
out="${STOREFRONT_SCREENSHOT_DIR:-$root/docs/screenshots}"
wait_s="${STOREFRONT_SCREENSHOT_TIMEOUT:-20}"
all_pages=(signin dashboard products inventory orders shipments events health faults)

pages=()
extra=()
while (($# > 0)); do
  if [[ "$1" == -- ]]; then
    shift
    extra=("$@")
    break
  fi
  pages+=("$1")
  shift
done
((${#pages[@]} > 0)) || pages=("${all_pages[@]}")

[[ -x "$bin" ]] || { echo "screenshots: no executable at $bin; build the storefront-admin target" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run is missing (apt-get install xvfb xauth)" >&2; exit 1; }
export STOREFRONT_ADMIN_PASSWORD="${STOREFRONT_ADMIN_PASSWORD:-}"
if [[ -z "$STOREFRONT_ADMIN_PASSWORD" && " ${pages[*]} " != " signin " && ! " ${extra[*]} " =~ " --no-sign-in " ]]; then
  echo "screenshots: STOREFRONT_ADMIN_PASSWORD is empty; pages will show the sign-in dialog's complaint" >&2
fi
mkdir -p "$out"

# A throwaway settings directory: screenshot runs must not change the operator's remembered URL,
# email or window geometry, and a remembered geometry must not change the pictures.
settings="$(mktemp -d)"
trap 'rm -rf "$settings"' EXIT

failed=0
for page in "${pages[@]}"; do
  file="$out/admin-$page.png"
  args=(--url "$url" --email "$email" --password-env STOREFRONT_ADMIN_PASSWORD --page "$page"
        --screenshot "$file" --quit-after-screenshot --screenshot-timeout "$wait_s")
  [[ "$page" == signin ]] || args+=(--autologin)
  echo "screenshots: $page -> $file" >&2
  if ! XDG_CONFIG_HOME="$settings" timeout $((wait_s + 30)) \
      xvfb-run -a -s "-screen 0 1440x900x24" "$bin" "${args[@]}" "${extra[@]}"; then
    echo "screenshots: $page failed" >&2
    failed=1
  fi
done
exit "$failed"
