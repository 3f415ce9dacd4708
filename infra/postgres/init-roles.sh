#!/usr/bin/env bash
# Runs infra/postgres/init.sql with every service role's password taken from the environment:
# <ROLE>_DB_PASSWORD for catalog, cart, checkout, payments, inventory, shipping and accounts.
#
# Used where a container bootstraps the database:
#   docker-compose.yml  mounted into the postgres image's /docker-entrypoint-initdb.d, so it runs
#                       once, when the data volume is first initialised (over the local socket)
#   infra/k8s           the storefront-db-init Job, on every deploy (init.sql is idempotent, so a
#                       re-run only converges the passwords), over TCP with PGHOST, PGUSER and
#                       PGPASSWORD of a superuser
# The passwords reach psql through its own environment (\getenv, psql 15), never its command line,
# where `ps` would show them. STOREFRONT_INIT_SQL names the SQL file (default: beside this script).
#
# The body runs in a subshell function: the postgres image *sources* a .sh file that is not
# executable, and options set here must not leak into its entrypoint.
storefront_init_roles() (
  set -euo pipefail
  local sql="${STOREFRONT_INIT_SQL:-$(dirname "${BASH_SOURCE[0]}")/init.sql}"
  local roles=(catalog cart checkout payments inventory shipping accounts)
  local role variable missing=()
  for role in "${roles[@]}"; do
    variable="${role^^}_DB_PASSWORD"
    [[ -n "${!variable:-}" ]] || missing+=("$variable")
  done
  if ((${#missing[@]} > 0)); then
    echo "init-roles.sh: set ${missing[*]} (every service role needs a password)" >&2
    exit 1
  fi
  [[ -r "$sql" ]] || { echo "init-roles.sh: cannot read $sql" >&2; exit 1; }
  echo "init-roles.sh: applying $sql" >&2
  {
    for role in "${roles[@]}"; do
      printf '\\getenv %s_password %s_DB_PASSWORD\n' "$role" "${role^^}"
    done
    cat "$sql"
  } | psql -X -q -v ON_ERROR_STOP=1 --dbname "${PGDATABASE:-postgres}" -f -
)
storefront_init_roles
