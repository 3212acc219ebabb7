#!/usr/bin/env bash
# The entrypoint of localhost/citus:13, after the postgres image's contract,
# which citusdata/citus keeps: POSTGRES_USER (default postgres),
# POSTGRES_PASSWORD, POSTGRES_DB (default POSTGRES_USER) and
# POSTGRES_HOST_AUTH_METHOD (default scram-sha-256 with a password); initdb on
# the first start into $PGDATA, then /docker-entrypoint-initdb.d/*.sql and *.sh;
# shared_preload_libraries = 'citus', the extension created in POSTGRES_DB,
# listening on every address. SIGTERM and SIGINT stop PostgreSQL at once
# ("fast" shutdown: open sessions are ended), where PostgreSQL as PID 1 would
# wait for every client to leave.
set -euo pipefail

if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi
shift

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
as_postgres() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres: "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  method=${POSTGRES_HOST_AUTH_METHOD:-}
  if [[ -z "${POSTGRES_PASSWORD:-}" && "$method" != trust ]]; then
    echo "docker-entrypoint: the database is not initialised and POSTGRES_PASSWORD is not set" \
         "(or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  method=${method:-scram-sha-256}
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  chown postgres "$pwfile"
  as_postgres initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host="$method" --no-sync >/dev/null
  rm -f "$pwfile"
  echo "host all all all $method" >>"$PGDATA/pg_hba.conf"
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
shared_preload_libraries = 'citus'
CONF
  # Set up on the unix socket only, so nothing outside sees a half-made database.
  as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  psql=(as_postgres psql -v ON_ERROR_STOP=1 -qAtX -U "$user")
  if [[ "$db" != postgres ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  "${psql[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) "${psql[@]}" -d "$db" -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "docker-entrypoint: initialised $PGDATA (user $user, database $db, auth $method)"
fi

# Started directly (not through a function, which would fork a subshell), so
# that $! is PostgreSQL's own PID.
HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null' QUIT
status=0
# `wait` returns early when a trapped signal arrives: wait again until PostgreSQL is gone.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && status=0 || status=$?
done
exit "$status"
