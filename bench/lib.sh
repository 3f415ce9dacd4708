# Shared by the benchmark scripts (sourced after infra/local/lib.sh): the stack on fresh ports,
# wrk runs and their figures, CPU time per process from /proc, and nginx as the reference.
# Each function's comment says what it sets; the scripts keep their own figures.

# One client address makes every request of a benchmark: the gateway's per-address rate limits (a
# real store's defaults) would measure 429s, and its cap of connections per address (100) would
# refuse wrk's larger runs, so the benchmarks lift them.
lift_rate_limits() {
  export HTTP_MAX_CONNECTIONS_PER_ADDRESS=0
  export RATE_LIMIT_GENERAL_QUOTA=1000000 RATE_LIMIT_GENERAL_WINDOW_SECONDS=1
  export RATE_LIMIT_REGISTER_QUOTA=1000000 RATE_LIMIT_REGISTER_WINDOW_SECONDS=1
  export RATE_LIMIT_LOGIN_QUOTA=1000000 RATE_LIMIT_LOGIN_WINDOW_SECONDS=1
  export RATE_LIMIT_CHECKOUT_QUOTA=1000000 RATE_LIMIT_CHECKOUT_WINDOW_SECONDS=1
  export LOGIN_FAILURES_PER_PAIR=1000 LOGIN_FAILURES_PER_EMAIL=1000000 LOGIN_FAILURES_PER_ADDRESS=1000000
}

# pick_port: sets PORT to a free port, not handed out before in this run (nothing binds them until
# the stack starts, so free_port alone could return one twice), and outside the kernel's range for
# outgoing connections' local ports, which the stack's own clients (Kafka, PostgreSQL, gRPC) take
# from while it starts: a port from there can be taken between the pick and the bind.
read -r bench_ephemeral_low bench_ephemeral_high </proc/sys/net/ipv4/ip_local_port_range
declare -A bench_picked
pick_port() {
  local port
  while true; do
    port="$(free_port)"
    ((port >= bench_ephemeral_low && port <= bench_ephemeral_high)) && continue
    [[ -z "${bench_picked[$port]:-}" ]] && break
  done
  bench_picked[$port]=1
  PORT="$port"
}

# cpu_ticks NAME=PID...: "NAME TICKS" per argument, sorted by name: the CPU ticks (user and system,
# its own and its reaped children's) of PID and every live descendant, as storefront-checkout-load
# counts them (PostgreSQL's backends live under the postmaster).
cpu_ticks() {
  local stat line pid rest name root
  local -A parent ticks
  local -a fields
  for stat in /proc/[0-9]*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue  # a process that has just ended
    pid="${line%% *}"
    rest="${line##*) }"
    read -ra fields <<<"$rest"
    parent[$pid]="${fields[1]}"
    ticks[$pid]=$((fields[11] + fields[12] + fields[13] + fields[14]))
  done
  for name in "$@"; do
    root="${name#*=}"
    local total=0 child
    local -a pending=("$root")
    while ((${#pending[@]} > 0)); do
      pid="${pending[-1]}"
      unset 'pending[-1]'
      total=$((total + ${ticks[$pid]:-0}))
      for child in "${!parent[@]}"; do
        [[ "${parent[$child]}" != "$pid" ]] || pending+=("$child")
      done
    done
    printf '%s %s\n' "${name%%=*}" "$total"
  done | sort
}

# cpu_seconds_between BEFORE AFTER: "NAME SECONDS" lines from two cpu_ticks outputs.
cpu_seconds_between() {
  join <(echo "$1") <(echo "$2") | awk -v hz="$(getconf CLK_TCK)" '{printf "%s %.2f\n", $1, ($3 - $2) / hz}'
}

# wrk_measure SECONDS URL FILE [NAME=PID...] [-- WRK_ARGS...]: wrk with WRK_SETTINGS (an array the
# script sets), 3 s of load not counted, then the measured run's output into FILE; with NAME=PID
# arguments, the CPU seconds each of those processes (and its descendants) used during the
# measured run go to FILE.cpu as "NAME SECONDS" lines. Arguments after -- go to wrk (a script).
# The pause between the two runs lets the gateway finish the calls of the connections wrk
# dropped: otherwise the measured run's first requests meet a full bulkhead to catalog
# (MAX_IN_FLIGHT_PER_UPSTREAM, 64) and are answered from the gateway's stale-read copy, a burst
# of quick answers that inflates requests/s.
wrk_measure() {
  local seconds="$1" url="$2" out="$3"
  shift 3
  local -a processes=() extra=()
  while (($# > 0)); do
    if [[ "$1" == -- ]]; then
      shift
      extra=("$@")
      break
    fi
    processes+=("$1")
    shift
  done
  wrk "${WRK_SETTINGS[@]}" "${extra[@]}" -d3s "$url" >/dev/null
  sleep 2
  local before=""
  ((${#processes[@]} == 0)) || before="$(cpu_ticks "${processes[@]}")"
  wrk "${WRK_SETTINGS[@]}" "${extra[@]}" -d"${seconds}s" --latency "$url" >"$out"
  ((${#processes[@]} == 0)) || cpu_seconds_between "$before" "$(cpu_ticks "${processes[@]}")" >"$out.cpu"
}

# wrk_figure FILE WHAT: requests/s, the 50th or 99th percentile latency in ms, the requests made,
# or the requests that failed (non-2xx answers plus socket errors) from wrk's output.
wrk_figure() {
  local file="$1" what="$2"
  case "$what" in
    rps) awk '/Requests\/sec/ {print $2}' "$file" ;;
    requests) awk '/requests in/ {print $1}' "$file" ;;
    p50 | p90 | p99)
      awk -v p="${what#p}%" '$1 == p {
          v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
          if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
          printf "%.2f", v }' "$file" ;;
    errors)
      awk '/Non-2xx/ {n += $NF} /Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i}
           END {print n + 0}' "$file" ;;
  esac
}

# start_stack STATE [NAME=VALUE...]: the local stack on fresh ports with STATE as its state
# directory (emptied first) and the given settings, until it is ready. Sets STACK_PID,
# GATEWAY_PORT and PG_PORT. Returns 1, the stack stopped, when it did not start within 240 s.
start_stack() {
  local state="$1" name
  shift
  rm -rf "$state"
  mkdir -p "$state"
  chmod 755 "$state"
  local -a env_args=(STOREFRONT_STATE_DIR="$state" STOREFRONT_LOG_LEVEL=warn)
  pick_port && GATEWAY_PORT="$PORT"
  env_args+=(STOREFRONT_GATEWAY_PORT="$GATEWAY_PORT")
  pick_port && PG_PORT="$PORT" && env_args+=(STOREFRONT_PG_PORT="$PORT")
  pick_port && env_args+=(STOREFRONT_KAFKA_PORT="$PORT")
  pick_port && env_args+=(STOREFRONT_KAFKA_CONTROLLER_PORT="$PORT")
  for name in catalog cart checkout payments inventory shipping; do
    pick_port && env_args+=("STOREFRONT_${name^^}_PORT=$PORT")
  done
  env "${env_args[@]}" "$@" "$STOREFRONT_ROOT/infra/local/stack" >"$state/stack.out" 2>"$state/stack.err" &
  STACK_PID=$!
  local waited
  for waited in $(seq 1 480); do
    grep -q 'storefront: ready' "$state/stack.out" 2>/dev/null && break
    if ! kill -0 "$STACK_PID" 2>/dev/null; then
      wait "$STACK_PID" 2>/dev/null || true
      STACK_PID=""
      tail -n 5 "$state/stack.err" >&2
      return 1
    fi
    sleep 0.5
  done
  if ! grep -q 'storefront: ready' "$state/stack.out"; then
    log "the stack was not ready after 240 s"
    stop_stack
    return 1
  fi
  log "the stack is ready after $((waited / 2)) s"
}

# runuser_if_root COMMAND...: COMMAND as the postgres user when run as root (PostgreSQL's tools
# refuse root), as is otherwise.
runuser_if_root() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# stack_psql STATE SQL...: psql as the superuser on the stack's PostgreSQL (database storefront),
# unaligned, one row a line, fields separated by a space.
stack_psql() {
  local state="$1"
  shift
  (cd / && runuser_if_root "$(pg_bindir)/psql" -X -q -At -F ' ' -h "$state/pg/run" -p "$PG_PORT" -U postgres \
    -d storefront -v ON_ERROR_STOP=1 "$@")
}

# stop_stack: stops the stack start_stack started (Ctrl-C's clean stop), if it runs.
stop_stack() {
  [[ -n "${STACK_PID:-}" ]] || return 0
  kill -TERM "$STACK_PID" 2>/dev/null || true
  wait "$STACK_PID" 2>/dev/null || true
  STACK_PID=""
}

# start_nginx DIR: nginx serving DIR/www (as application/json) on a fresh port until stop_nginx;
# sets NGINX_PORT and NGINX_PID. Its workers run as nobody: DIR must be readable by all.
start_nginx() {
  local dir="$1"
  chmod -R a+rX "$dir"
  pick_port && NGINX_PORT="$PORT"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp-body;
  proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fastcgi;
  uwsgi_temp_path $dir/tmp-uwsgi;
  scgi_temp_path $dir/tmp-scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $dir/www;
  }
}
EOF
  nginx -e "$dir/error.log" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  local _
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/" 2>/dev/null && return 0
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/")" == 000 ]] || return 0
    sleep 0.1
  done
  die "nginx did not start (see $dir/error.log)"
}

stop_nginx() {
  [[ -n "${NGINX_PID:-}" ]] || return 0
  kill -QUIT "$NGINX_PID" 2>/dev/null || true  # graceful stop
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

# The commit measured, and how many C++ files differ from it, for a run's header line.
bench_revision() {
  local commit changed
  commit="$(git -C "$STOREFRONT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  changed="$(git -C "$STOREFRONT_ROOT" status --porcelain --untracked-files=no -- '*.cpp' '*.h' 2>/dev/null | wc -l)"
  if ((changed > 0)); then echo "commit $commit (+$changed uncommitted C++ files in the tree)"; else echo "commit $commit"; fi
}

# ensure_locust: Locust (pinned in bench/load/requirements.txt) in a virtual environment of
# Debian's python3 under .cache/bench-venv, installed from PyPI the first time; sets LOCUST.
ensure_locust() {
  local venv="$STOREFRONT_ROOT/.cache/bench-venv" wanted="$STOREFRONT_ROOT/bench/load/requirements.txt"
  LOCUST="$venv/bin/locust"
  if [[ -x "$LOCUST" ]] && cmp -s "$wanted" "$venv/requirements.txt"; then return 0; fi
  log "installing Locust into $venv (once)"
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv" || die "cannot make a virtual environment (apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$wanted" || die "pip could not install $wanted"
  cp "$wanted" "$venv/requirements.txt"
}
