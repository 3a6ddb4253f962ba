#!/usr/bin/env bash
# The replica and point-in-time recovery drill (issue 17, items 6 and 7), PostgreSQL only:
#   1. a primary cluster of its own (initdb, under a temporary folder, on a free port) with WAL
#      archiving to a folder, and the app's schema (manage.py migrate);
#   2. a streaming replica made with pg_basebackup into a second cluster on another port;
#   3. scripts/drills/test_replica_drill.py (pytest, in this process's Django, pointed at both):
#      reporting reads go to the replica, writes never; a replica that lags or is stopped
#      costs nothing but speed; then a point-in-time recovery to a named restore point;
#   4. everything stopped and removed.
# Run as root (the clusters run as the postgres user) or as postgres. Prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=${PYTHON:-$repo/.venv/bin/python}
started=$(date +%s%N)

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() { if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi; }
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

base=$(mktemp -d /tmp/hsb-replica-drill.XXXXXX)
chmod 755 "$base"
mkdir -p "$base/archive"
chown postgres:postgres "$base" "$base/archive"
primary_port=$(free_port)
replica_port=$(free_port)

cleanup() {
    local status=$?
    set +e
    for cluster in primary replica pitr; do
        [[ -f "$base/$cluster/postmaster.pid" ]] && as_postgres "$bin/pg_ctl" -D "$base/$cluster" -m immediate -w stop >/dev/null
    done
    if [[ $status -ne 0 ]]; then tail -n 20 "$base"/*.log 2>/dev/null; fi
    rm -rf "$base"
    exit $status
}
trap cleanup EXIT

echo "== Primary cluster on 127.0.0.1:$primary_port, archiving its WAL to a folder"
as_postgres "$bin/initdb" -D "$base/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$base/primary/postgresql.conf" <<CONF
port = $primary_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$base'
wal_level = replica
max_wal_senders = 5
archive_mode = on
archive_command = 'test ! -f $base/archive/%f && cp %p $base/archive/%f'
CONF
as_postgres "$bin/pg_ctl" -D "$base/primary" -l "$base/primary.log" -w start >/dev/null
as_postgres "$bin/createdb" -h 127.0.0.1 -p "$primary_port" -U postgres hsb

echo "== The app's schema on the primary (manage.py migrate)"
primary_url="postgres://postgres@127.0.0.1:$primary_port/hsb"
DATABASE_URL=$primary_url SECRET_KEY=replica-drill-only-"$RANDOM" "$python" manage.py migrate --no-input -v 0

echo "== Streaming replica on 127.0.0.1:$replica_port (pg_basebackup -R)"
as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$base/replica" \
    -R -X stream -c fast
cat >> "$base/replica/postgresql.conf" <<CONF
port = $replica_port
archive_mode = off
CONF
as_postgres "$bin/pg_ctl" -D "$base/replica" -l "$base/replica.log" -w start >/dev/null

echo "== The drill (scripts/drills/test_replica_drill.py)"
DATABASE_URL=$primary_url \
DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$replica_port/hsb" \
REPLICA_MAX_LAG_SECONDS=3 REPLICA_CHECK_SECONDS=0 \
DRILL_BASE=$base DRILL_PG_BIN=$bin DRILL_PRIMARY_PORT=$primary_port DRILL_REPLICA_PORT=$replica_port \
    "$python" -m pytest -q -s -p no:cacheprovider scripts/drills/test_replica_drill.py

ms=$(( ($(date +%s%N) - started) / 1000000 ))
printf 'Replica drill: passed in %d.%d s\n' $((ms / 1000)) $((ms % 1000 / 100))
