#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the gradebook tests (tests/batch/test_postgres.py) and print
# its URL on stdout. Idempotent: reuses the data directory and a running server.
#
#   export MLJUDGE_TEST_POSTGRES_URL="$(scripts/start-postgres.sh)"
#
# As root it installs Debian's `postgresql` package when missing. The server is our own data
# directory ($MLJUDGE_PG_DATA, default /var/lib/mljudge-pg), run as user postgres, listening on
# 127.0.0.1 only (no other address, no Unix socket outside the data directory) on port
# $MLJUDGE_PG_PORT (default 54329). Role `mljudge` (password `mljudge`) owns database `mljudge_test`
# and may create databases (the tests make one per test and drop it).
set -euo pipefail
# Never stop without saying why: name the command and line that failed.
trap 'echo "start-postgres.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR

PORT="${MLJUDGE_PG_PORT:-54329}"
DATA="${MLJUDGE_PG_DATA:-/var/lib/mljudge-pg}"
HOST=127.0.0.1
ROLE=mljudge
PASSWORD=mljudge
DB=mljudge_test
WAIT=60

die() { echo "start-postgres: $*" >&2; exit 1; }
say() { echo "start-postgres: $*" >&2; }

find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

BIN="$(find_bindir || true)"
if [ -z "$BIN" ]; then
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
  say "installing Debian's postgresql package"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >/dev/null \
    || die "apt-get install postgresql failed"
  BIN="$(find_bindir || true)"
  [ -n "$BIN" ] || die "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb found"
fi

# Run a command as the postgres user (we are root) or as ourselves (already the server's owner).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "no 'postgres' user (the postgresql package creates it)"
  as_pg() { runuser -u postgres -- "$@"; }
  RUNAS=postgres
else
  as_pg() { "$@"; }
  RUNAS="$(id -un)"
fi

if [ ! -s "$DATA/PG_VERSION" ]; then
  say "creating a cluster in $DATA"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATA" && chown "$RUNAS": "$DATA" && chmod 700 "$DATA"
  else
    mkdir -p "$DATA" && chmod 700 "$DATA"
  fi
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$DATA.initdb.log" 2>&1 \
    || as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
         --encoding=UTF8 --no-locale >"$DATA.initdb.log" 2>&1 \
    || die "initdb failed: see $DATA.initdb.log"
fi

# Loopback only: listen_addresses is forced on the command line (it overrides postgresql.conf);
# the Unix socket lives in the data directory so no system socket directory is needed.
OPTS="-p $PORT -c listen_addresses=$HOST -c unix_socket_directories=$DATA -c max_connections=100"
if as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  say "server already running in $DATA"
else
  say "starting the server on $HOST:$PORT"
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -o "$OPTS" -w -t "$WAIT" start >/dev/null \
    || { tail -n 20 "$DATA/server.log" >&2 2>/dev/null || true; die "pg_ctl start failed (log: $DATA/server.log)"; }
fi

deadline=$((SECONDS + WAIT))
until "$BIN/pg_isready" -q -h "$HOST" -p "$PORT"; do
  [ "$SECONDS" -lt "$deadline" ] || die "no answer from $HOST:$PORT within ${WAIT}s (log: $DATA/server.log)"
  sleep 0.5
done

# The server on that port must be the one we run (not another listening there).
running_port="$(as_pg "$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -Atqc 'show port' 2>/dev/null || true)"
[ "$running_port" = "$PORT" ] || die "the server in $DATA does not answer on port $PORT (another server there?)"

psql_admin() { as_pg "$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$ROLE'")" != 1 ]; then
  psql_admin -c "create role $ROLE login createdb password '$PASSWORD'" || die "cannot create role $ROLE"
else
  psql_admin -c "alter role $ROLE login createdb password '$PASSWORD'" || die "cannot update role $ROLE"
fi
if [ "$(psql_admin -c "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
  psql_admin -c "create database $DB owner $ROLE" || die "cannot create database $DB"
fi

URL="postgresql+psycopg://$ROLE:$PASSWORD@$HOST:$PORT/$DB"
PGPASSWORD="$PASSWORD" "$BIN/psql" "postgresql://$ROLE@$HOST:$PORT/$DB" -Atqc 'select 1' >/dev/null \
  || die "cannot log in as $ROLE over TCP at $HOST:$PORT"
echo "$URL"
