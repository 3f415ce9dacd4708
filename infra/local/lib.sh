# shellcheck shell=bash
# Helpers shared by infra/local/{up,test,stack} and .ci/run. Source it; don't run it.

# The repository root, whatever the caller's working directory.
STOREFRONT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly STOREFRONT_ROOT

# Progress and errors go to stderr so stdout stays for what callers parse.
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (run as root or install sudo)"
  fi
}

# Prints the packages of infra/packages.txt, one a line, without comments or blank lines.
package_list() {
  [[ -r "$STOREFRONT_ROOT/infra/packages.txt" ]] || die "missing $STOREFRONT_ROOT/infra/packages.txt"
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$STOREFRONT_ROOT/infra/packages.txt" | grep -v '^$'
}

# Installs whatever packages of infra/packages.txt are missing; quiet when nothing is.
ensure_packages() {
  if ! command -v dpkg-query >/dev/null; then
    log "not a Debian system: install the packages in infra/packages.txt yourself"
    return 0
  fi
  local pkg status
  local -a missing=()
  while read -r pkg; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == installed ]] || missing+=("$pkg")
  done < <(package_list)
  ((${#missing[@]} > 0)) || return 0

  if ((EUID != 0)) && ! command -v sudo >/dev/null; then
    die "missing packages: ${missing[*]}; as root, run:" \
      "apt-get install --no-install-recommends ${missing[*]}"
  fi
  log "installing missing packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds the release preset into build/release.
build_release() {
  (
    cd "$STOREFRONT_ROOT" || exit
    cmake --preset release
    cmake --build --preset release
  )
}

# Prints the bin directory of the newest PostgreSQL that Debian's packages installed.
pg_bindir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
    sort -V | tail -n 1)"
  [[ -n "$dir" ]] || die "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)"
  printf '%s\n' "$dir"
}

# Succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a TCP port on 127.0.0.1 that nothing listens on now (20000-32767, picked at random).
# Another process may still take it before the caller binds: good enough for tests.
free_port() {
  local port attempt
  for attempt in $(seq 1 100); do
    # Below the kernel's range for outgoing connections (32768-60999 by default): a port from that
    # range could become some client's local port before the process it is meant for binds it.
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "found no free TCP port after $attempt attempts"
}

# maven_jars NAME WHAT HINT MVN_ARGS...: the dependencies of infra/NAME/pom.xml, copied out of Maven
# once into the cache folder (STOREFRONT_CACHE_DIR, default <repo>/.cache) as NAME/libs, and again
# only when the pom changes. Prints that folder. Maven keeps its own download cache (~/.m2), so a
# second copy is quick and needs no network. WHAT names the software in messages; HINT follows the
# error when Maven fails.
maven_jars() {
  local name="$1" what="$2" hint="$3"
  shift 3
  local pom="$STOREFRONT_ROOT/infra/$name/pom.xml"
  local cache="${STOREFRONT_CACHE_DIR:-$STOREFRONT_ROOT/.cache}/$name"
  local libs="$cache/libs" stamp
  stamp="$(sha256sum "$pom" | cut -c1-16)"
  mkdir -p "$cache"
  (
    flock -w 600 8 || die "waited 10 minutes for another copy of $what's jars into $cache"
    [[ -f "$libs/.pom-$stamp" ]] && exit 0
    command -v java >/dev/null || die "java is missing: apt-get install default-jre-headless (infra/packages.txt)"
    command -v mvn >/dev/null || die "mvn is missing: apt-get install maven (infra/packages.txt)"
    log "copying $what's jars out of Maven into $libs (once)"
    rm -rf "$libs"
    mkdir -p "$libs"
    mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" "$@" >&2 ||
      die "Maven could not fetch $what (infra/$name/pom.xml)${hint:+; $hint}"
    touch "$libs/.pom-$stamp"
  ) 8>"$cache/.lock"
  printf '%s\n' "$libs"
}

# Apache Kafka's jars (infra/kafka/pom.xml) in <cache>/kafka/libs. Prints the folder of jars, for
# infra/kafka/bin/kafka-class's KAFKA_LIBS.
ensure_kafka() {
  maven_jars kafka "Apache Kafka" "STOREFRONT_KAFKA=dev runs the development broker instead"
}

# Schemathesis, pinned in tests/fuzz/requirements.txt, in a virtual environment of Debian's
# python3 (python3-venv, infra/packages.txt) at <cache>/fuzz-venv, installed from PyPI once and
# again only when the pins change. Prints the schemathesis executable, for the API contract test
# (tests/e2e/api_fuzz_e2e_test.cpp), which finds it there.
ensure_schemathesis() {
  local venv="${STOREFRONT_CACHE_DIR:-$STOREFRONT_ROOT/.cache}/fuzz-venv"
  local wanted="$STOREFRONT_ROOT/tests/fuzz/requirements.txt"
  mkdir -p "$(dirname "$venv")"
  (
    flock -w 600 8 || die "waited 10 minutes for another install of Schemathesis into $venv"
    [[ -x "$venv/bin/schemathesis" ]] && cmp -s "$wanted" "$venv/requirements.txt" && exit 0
    log "installing Schemathesis into $venv (once)"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv" || die "cannot make a virtual environment (apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$wanted" >&2 ||
      die "pip could not install $wanted"
    cp "$wanted" "$venv/requirements.txt"
  ) 8>"$(dirname "$venv")/.fuzz-venv.lock"
  printf '%s\n' "$venv/bin/schemathesis"
}

# The OpenAPI linters, Redocly CLI and Spectral, at the versions tests/lint/package-lock.json pins,
# from the npm registry into <cache>/api-lint (again only when the lock file changes). Prints that
# folder, whose node_modules/.bin tests/lint/lint-openapi runs. npm comes with a Node.js from
# elsewhere (NodeSource's); with Debian's nodejs it is Debian's npm package, installed here only
# when no npm is found, since it conflicts with NodeSource's.
ensure_api_linters() {
  local dir="${STOREFRONT_CACHE_DIR:-$STOREFRONT_ROOT/.cache}/api-lint"
  local wanted="$STOREFRONT_ROOT/tests/lint/package-lock.json"
  mkdir -p "$dir"
  (
    flock -w 600 8 || die "waited 10 minutes for another install of the OpenAPI linters into $dir"
    # installed.lock: the lock file of the last install that finished.
    [[ -x "$dir/node_modules/.bin/redocly" && -x "$dir/node_modules/.bin/spectral" ]] &&
      cmp -s "$wanted" "$dir/installed.lock" && exit 0
    if ! command -v npm >/dev/null; then
      log "installing Debian's npm"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
    fi
    log "installing the OpenAPI linters into $dir (once)"
    rm -rf "$dir/node_modules" "$dir/installed.lock"
    cp "$STOREFRONT_ROOT/tests/lint/package.json" "$wanted" "$dir/"
    # Spectral's packages depend on @scarf/scarf, whose install script reports installs: not from here.
    (cd "$dir" && SCARF_ANALYTICS=false DO_NOT_TRACK=1 npm ci --no-audit --no-fund --loglevel=error >&2) ||
      die "npm could not install tests/lint/package.json"
    cp "$wanted" "$dir/installed.lock"
  ) 8>"$dir.lock"
  printf '%s\n' "$dir"
}

# The Zipkin server's one self-contained jar (infra/zipkin/pom.xml), about 90 MB, as
# <cache>/zipkin/libs/zipkin-server-exec.jar (the version stripped, so the path stays put when the
# pom's version moves). Prints that path, for infra/zipkin/bin/zipkin-server's ZIPKIN_JAR.
ensure_zipkin() {
  local libs
  libs="$(maven_jars zipkin "the Zipkin server" "STOREFRONT_ZIPKIN=off runs the stack without it" \
    -Dmdep.stripVersion=true)"
  printf '%s\n' "$libs/zipkin-server-exec.jar"
}
