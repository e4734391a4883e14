#!/usr/bin/env bash
# scripts/pg.sh starts a cluster fit for logical replication, with the
# supabase_realtime publication, and stops it. As root it also checks the
# fallback for a directory the postgres user cannot reach.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG=$ROOT/scripts/pg.sh
WORK=
DATADIRS=()
AREAS=()

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

cleanup() {
  local d a
  for d in "${DATADIRS[@]}"; do bash "$PG" stop "$d" 2>/dev/null || true; done
  for a in "${AREAS[@]}"; do
    if [[ $a == /var/tmp/realtime-pg-* ]]; then rm -rf -- "$a"; fi
  done
  if [[ -n $WORK ]]; then rm -rf -- "$WORK"; fi
}
trap cleanup EXIT

# A port is taken when any TCP socket uses it locally, listening or not (an
# outgoing connection's source port blocks a bind too).
port_in_use() { [[ -n $(ss -tanH "( sport = :$1 )" 2>/dev/null) ]]; }

# Below the kernel's ephemeral range (32768 and up by default), so that the
# many client connections of tests running alongside do not take it first.
free_port() {
  local i port
  for ((i = 0; i < 50; i++)); do
    port=$((20000 + RANDOM % 12000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  fail "no free port found"
}

query() { bash "$PG" psql "$1" "$2" -X -At -v ON_ERROR_STOP=1 -c "$3"; }

check_cluster() {
  local datadir=$1 port status_rc=0
  port=$(free_port)
  DATADIRS+=("$datadir")
  AREAS+=("$(bash "$PG" path "$datadir")")
  bash "$PG" start "$datadir" "$port" || fail "start on port $port"
  bash "$PG" status "$datadir" >/dev/null || fail "status after start"
  [[ $(query "$datadir" "$port" 'SHOW wal_level') == logical ]] || fail "wal_level is not logical"
  [[ $(query "$datadir" "$port" \
    "SELECT count(*) FROM pg_publication WHERE pubname = 'supabase_realtime'") == 1 ]] ||
    fail "publication supabase_realtime missing"
  bash "$PG" start "$datadir" "$port" || fail "second start"
  bash "$PG" stop "$datadir" || fail "stop"
  bash "$PG" status "$datadir" >/dev/null || status_rc=$?
  [[ $status_rc -eq 3 ]] || fail "status after stop returned $status_rc, expected 3"
  port_in_use "$port" && fail "port $port still open after stop"
  pass "cluster in $datadir on port $port"
}

check_fallback() {
  local datadir=$WORK/private/pg area
  mkdir -m 700 "$WORK/private"
  area=$(bash "$PG" path "$datadir")
  [[ $area == /var/tmp/realtime-pg-* ]] || fail "no fallback for $datadir: $area"
  check_cluster "$datadir"
  [[ ! -e $datadir ]] || fail "$datadir was created although unreachable"
  pass "fallback to $area"
}

main() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/rt-pg-test.XXXXXX")
  # mktemp makes it private; as root the postgres user must be able to enter it.
  chmod 755 "$WORK"
  check_cluster "$WORK/pg"
  if [[ $(id -u) -eq 0 ]]; then check_fallback; fi
}

main "$@"
