#!/usr/bin/env bash
# A real PostgreSQL streaming replica of the local server (127.0.0.1:5432) on 127.0.0.1:5433, for the
# read-replica router's test and for trying it by hand (docs/deploy.md, "Read replica").
#
#   scripts/replica.sh start    # pg_basebackup into a new cluster dir, start it as a hot standby
#   scripts/replica.sh status   # prints "running" / "stopped" (exit 0 / 3)
#   scripts/replica.sh stop     # stop it and remove its directory
#
# Runs the PostgreSQL programs as the postgres OS user (the script uses runuser when run as root).
# Replication from the loopback must be allowed on the primary: when pg_hba.conf has no replication
# line, one "host replication all 127.0.0.1/32 trust" is added and the configuration reloaded.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}"
PRIMARY_HOST="${REPLICA_PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${REPLICA_PRIMARY_PORT:-5432}"
PORT="${REPLICA_PORT:-5433}"
DIR="${REPLICA_DIR:-/var/lib/postgresql/branchtrack-replica-$PORT}"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

primary_sql() {
  as_postgres psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"
}

running() {
  [ -f "$DIR/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1
}

allow_replication() {
  local hba
  hba="$(primary_sql 'SHOW hba_file')"
  if ! primary_sql "SELECT 1 FROM pg_hba_file_rules WHERE 'replication' = ANY(database) LIMIT 1" | grep -q 1; then
    echo "replica: allowing replication from 127.0.0.1 in $hba"
    printf '\n# branchtrack scripts/replica.sh: streaming replica on the loopback\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    primary_sql 'SELECT pg_reload_conf()' >/dev/null
  fi
}

start() {
  if running; then
    echo "replica: already running on 127.0.0.1:$PORT ($DIR)"
    return 0
  fi
  allow_replication
  as_postgres rm -rf "$DIR"
  as_postgres mkdir -p "$DIR"
  as_postgres chmod 700 "$DIR"
  echo "replica: pg_basebackup from $PRIMARY_HOST:$PRIMARY_PORT into $DIR"
  # -R writes standby.signal and primary_conninfo: the new cluster starts as a streaming standby.
  as_postgres "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DIR" \
    -R -X stream -c fast
  # The Debian cluster keeps its configuration in /etc: the copy gets a minimal one of its own.
  as_postgres bash -c "cat > '$DIR/postgresql.conf' <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
CONF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$DIR/pg_hba.conf'
: > '$DIR/pg_ident.conf'"
  as_postgres "$PG_BIN/pg_ctl" -D "$DIR" -l "$DIR/replica.log" -w -t 60 start
  echo "replica: running on 127.0.0.1:$PORT (REPLICA_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:$PORT/<database>)"
}

stop() {
  if running; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DIR" -m fast -w stop
  fi
  as_postgres rm -rf "$DIR"
  echo "replica: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
