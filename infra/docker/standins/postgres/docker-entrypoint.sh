#!/usr/bin/env bash
# The stand-in postgres image's entrypoint: what the upstream image's docker-entrypoint.sh does
# for the settings docker-compose.yml uses (infra/docker/README.md, "Stand-ins").
#   As root: owns the data folder to postgres and runs itself again as postgres.
#   On an empty data folder: initdb with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD,
#   password authentication from other hosts (POSTGRES_HOST_AUTH_METHOD, default scram-sha-256),
#   then a server on the socket only while /docker-entrypoint-initdb.d runs in name order (*.sh
#   executed when executable, sourced otherwise; *.sql through psql), then stops it.
#   Then runs the command (postgres), listening on every interface.
# As the upstream entrypoint: no `set -u`, which the init scripts it sources would inherit.
set -Eeo pipefail
[[ "${1:-}" == -* ]] && set -- postgres "$@"

if [[ "${1:-}" == postgres && "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ "${1:-}" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  : "${POSTGRES_PASSWORD:?the stand-in postgres image needs POSTGRES_PASSWORD, as the upstream one}"
  export POSTGRES_USER="${POSTGRES_USER:-postgres}"
  export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    ${POSTGRES_INITDB_ARGS:-}
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD" PGHOST=/var/run/postgresql
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -X -v ON_ERROR_STOP=1 --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sh)
        echo "docker-entrypoint.sh: running $file"
        if [[ -x "$file" ]]; then "$file"; else
          # shellcheck disable=SC1090
          . "$file"
        fi ;;
      *.sql)
        echo "docker-entrypoint.sh: running $file"
        psql -X -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB" -f "$file" ;;
      *) [[ -e "$file" ]] && echo "docker-entrypoint.sh: ignoring $file" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo "docker-entrypoint.sh: initialisation done; starting PostgreSQL"
fi

exec "$@"
