#!/usr/bin/env bash
# Regenerates the pgoutput vectors in this directory from a real PostgreSQL 15:
#
#   bash tests/vectors/capture.sh BUILD_DIR [PORT]
#
# BUILD_DIR holds a build with the capture_pgoutput target built
# (cmake --build BUILD_DIR --target capture_pgoutput). A temporary cluster is
# started with scripts/pg.sh on PORT (default: a free one), given setup.sql,
# and each workload W.sql is captured into W.hex; the cluster and its
# directory are removed at the end, whether the capture succeeded or not.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PG=$ROOT/scripts/pg.sh
DB=vectors
PUBLICATION=vectors
CAPTURE_TIMEOUT=60

# name transactions proto_version
WORKLOADS=(
  "identity_default 4 1"
  "identity_full 2 1"
  "toast_default 3 1"
  "toast_full 2 1"
  "key_change 4 1"
  "no_primary_key 3 1"
  "types 2 1"
  "truncate 2 1"
  "messages 3 1"
  "stream 3 2"
  "edges 1 1"
)

die() { echo "capture.sh: $*" >&2; exit 1; }

(($# >= 1 && $# <= 2)) || die "usage: capture.sh BUILD_DIR [PORT]"
TOOL=$(realpath -- "$1")/tests/vectors/capture_pgoutput
[[ -x $TOOL ]] || die "$TOOL not found; build the capture_pgoutput target first"

port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

free_port() {
  local i port
  for ((i = 0; i < 50; i++)); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

PORT=${2:-$(free_port)}
port_in_use "$PORT" && die "port $PORT is in use"

WORK=$(mktemp -d)
# The postgres user (pg.sh runs the cluster as that user when we are root)
# must be able to reach the data directory.
chmod 755 "$WORK"
DATADIR=$WORK/pg
STARTED=

cleanup() {
  local area
  if [[ -n $STARTED ]]; then
    area=$(bash "$PG" path "$DATADIR")
    bash "$PG" stop "$DATADIR" || true
    if [[ $area == /var/tmp/realtime-pg-* ]]; then rm -rf -- "$area"; fi
  fi
  rm -rf -- "$WORK"
}
trap cleanup EXIT

psql_db() {
  local db=$1
  shift
  bash "$PG" psql "$DATADIR" "$PORT" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

STARTED=1
bash "$PG" start "$DATADIR" "$PORT"
# Small enough that the 5,000-row transaction of stream.sql is streamed.
psql_db postgres -c "ALTER SYSTEM SET logical_decoding_work_mem = '64kB'"
psql_db postgres -c "SELECT pg_reload_conf()" >/dev/null
psql_db postgres -c "CREATE DATABASE $DB"
# pg.sh's psql runs as the postgres user, which may not read this checkout.
psql_db "$DB" <"$HERE/setup.sql"
echo "capture.sh: $(psql_db "$DB" -At -c 'SELECT version()')"
[[ $(psql_db "$DB" -At -c 'SHOW logical_decoding_work_mem') == 64kB ]] ||
  die "logical_decoding_work_mem was not applied"

for entry in "${WORKLOADS[@]}"; do
  read -r name transactions proto <<<"$entry"
  "$TOOL" --port "$PORT" --dbname "$DB" --publication "$PUBLICATION" \
    --sql "$HERE/$name.sql" --out "$HERE/$name.hex" \
    --transactions "$transactions" --proto "$proto" --timeout "$CAPTURE_TIMEOUT"
  printf 'capture.sh: %-18s %5d messages %9d bytes\n' "$name" \
    "$(wc -l <"$HERE/$name.hex")" "$(stat -c %s "$HERE/$name.hex")"
done
