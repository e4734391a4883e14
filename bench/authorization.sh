#!/usr/bin/env bash
# Authorization benchmark (a benchmark command, not a timed test).
#
# One PostgreSQL 15 cluster of its own (scripts/pg.sh, port AUTH_PG_PORT,
# under a temporary directory) with a fresh database, and a fresh server for
# every run (started and stopped by its PID) pointing at it. Every figure of a
# private or row-level-checked run has its public counterpart in the same
# repetition; quote the ratios, the machine is shared.
#
# Private channels (joins that ask realtime.messages' policies), token role
# authenticated with a sub, policy: read when realtime.topic() like 'storm-%'
# and the claims carry a sub:
#
#   storm-public          CONNECTIONS new sockets, one join each (joinstorm)
#   storm-private-poolN   the same joins with config.private, N authorization
#                         sessions (AUTHORIZATION_POOL_SIZE), N in POOL_SIZES
#   multi-public          MULTI_CONNECTIONS sockets, then every socket joins
#                         JOINS_PER_SOCKET - 1 more channels at once (joins/s
#                         on open sockets)
#   multi-private-poolN   the same, private
#
# Postgres changes on one table, SUBSCRIBERS subscribers, ROW_RATE rows/s
# written for CHANGES_SECONDS (pgbench, transactions of two rows: one owned by
# the subscribers' sub, one by someone else):
#
#   changes-open          table open_t, no row level security (every row due)
#   changes-rls-service   table secure_t (row level security, policy on the
#                         claims' sub) with a service_role token: BYPASSRLS,
#                         every row due, no row check
#   changes-rls-auth      secure_t with the authenticated token: half the rows
#                         due, each checked. Skipped, with the server's answer
#                         in the report, while the server refuses bindings on
#                         row-level-secured tables for roles that do not
#                         bypass row security (a probe asks once per command).
#
# Reported: joins/s (medians), private/public ratios, join latency, server CPU
# and PostgreSQL CPU (the postmaster and its children, from /proc, before and
# after each run) per 1,000 joins; changes/s delivered, p99, drops.
#
#   bench/authorization.sh                 RUNS=3; writes docs/bench/authorization.md
#   RUNS=1 CHANGES_SECONDS=3 REPORT=/tmp/a.md bench/authorization.sh   a quick pass, docs/ untouched
#
# Environment: RUNS (3), CONNECTIONS (1000), MULTI_CONNECTIONS (200),
# JOINS_PER_SOCKET (10), POOL_SIZES ("1 2 4"), SUBSCRIBERS (1000), ROW_RATE
# (50), CHANGES_SECONDS (10), AUTH_PG_PORT (55434), OUT (results directory,
# default build/bench-results/authorization-<time>), REPORT
# (docs/bench/authorization.md, which also refreshes its section in
# docs/benchmarks.md; another path: that file only; "none": no report),
# SKIP_BUILD=1 (use build/ as it is).
#
# Bounded: every generator has --max-seconds, every wait here a limit, the
# writer a fixed transaction count and a timeout; every process started here
# is stopped by its PID and PostgreSQL is stopped at the end whatever happens.
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" authorization
CONNECTIONS=${CONNECTIONS:-1000}
MULTI_CONNECTIONS=${MULTI_CONNECTIONS:-200}
JOINS_PER_SOCKET=${JOINS_PER_SOCKET:-10}
POOL_SIZES=${POOL_SIZES:-1 2 4}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
ROW_RATE=${ROW_RATE:-50}
CHANGES_SECONDS=${CHANGES_SECONDS:-10}
PG_PORT=${AUTH_PG_PORT:-55434}
PGBIN=/usr/lib/postgresql/15/bin
DB=rt_auth
SUB=2f6e0c5e-4b7a-4d39-9a51-1c0de0000001 # the subscribers' sub claim
OTHER_SUB=2f6e0c5e-4b7a-4d39-9a51-1c0de0000002
BENCH_MAX_SECONDS=110 # hard limit of every generator run
STEP_TIMEOUT=150      # hard limit of any wait in this script
ROW_SECURITY_REFUSAL='row level security is enabled on table'

WORK=""

# shellcheck source=bench/processes.sh
source "$ROOT/bench/processes.sh"
stop_all_at_exit

# cpu_ticks PID [WITH_CHILDREN]: utime + stime of PID (and, with a second
# argument, the children it reaped: cutime + cstime), in clock ticks.
cpu_ticks() {
  local stat f
  read -r stat 2>/dev/null <"/proc/$1/stat" || { echo 0; return; }
  read -r -a f <<<"${stat##*) }"
  if [ $# -gt 1 ]; then echo $((f[11] + f[12] + f[13] + f[14])); else echo $((f[11] + f[12])); fi
}

# pg_ticks: the CPU of the whole cluster: the postmaster with the backends it
# reaped, plus every live child (backends, walsenders, background workers).
pg_ticks() {
  local total p stat f
  total=$(cpu_ticks "$PG_PID" children)
  for p in /proc/[0-9]*; do
    read -r stat 2>/dev/null <"$p/stat" || continue
    read -r -a f <<<"${stat##*) }"
    [ "${f[1]}" = "$PG_PID" ] && total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# -- PostgreSQL -----------------------------------------------------------------------

export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=$DB PGCONNECT_TIMEOUT=10
sql() { "$PGBIN/psql" -X -Atq -v ON_ERROR_STOP=1 "$@"; }

# The tables of the Postgres changes runs; secure_t shows a row to the
# authenticated role only when its owner is the token's sub.
TABLES_SQL="create table open_t (id bigserial primary key, owner text not null, a int not null,
                                 c timestamptz not null default clock_timestamp());
create table secure_t (id bigserial primary key, owner text not null, a int not null,
                       c timestamptz not null default clock_timestamp());
alter table secure_t enable row level security;
create policy secure_t_owner on secure_t for select to authenticated
  using (owner = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub'));
grant select on open_t, secure_t to anon, authenticated, service_role;
create publication supabase_realtime for table open_t, secure_t;"

# Private channels: authenticated users with a sub may read storm-* topics.
POLICY_SQL="create policy bench_storm_read on realtime.messages for select to authenticated
  using (realtime.topic() like 'storm-%'
         and (current_setting('request.jwt.claims', true)::jsonb ->> 'sub') is not null);"

start_postgres() {
  WORK=$(mktemp -d /tmp/rt-auth.XXXXXX)
  chmod 755 "$WORK"
  bash scripts/pg.sh start "$WORK/pg" "$PG_PORT" 2>>"$OUT/pg.sh.log"
  PG_PID=$(bash scripts/pg.sh status "$WORK/pg" | sed -n 's/^running: pid \([0-9]*\),.*/\1/p')
  [ -n "$PG_PID" ] || die "cannot find the postmaster's PID (see $OUT/pg.sh.log)"
  sql -d postgres -c "create database $DB"
  sql -c "$TABLES_SQL"
  printf -- '-- database %s, before the first server start\n%s\n\n-- once the server installed the realtime schema\n%s\n' \
    "$DB" "$TABLES_SQL" "$POLICY_SQL" >"$OUT/setup.sql"
  sql -c "select name || ' = ' || current_setting(name) from pg_settings where name in
            ('server_version', 'wal_level', 'shared_buffers', 'synchronous_commit', 'fsync',
             'max_connections') order by name" >"$OUT/pg-settings.txt"
}

# reset_db: no replication slot (each server creates its own anew, so no run
# inherits WAL from the one before), empty tables.
reset_db() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(sql -c "select count(*) from pg_replication_slots where active")" = 0 ] && break
    sleep 0.1
  done
  sql -c "set client_min_messages = warning" \
    -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots where not active" \
    -c "truncate open_t, secure_t restart identity" >/dev/null
}

# wait_schema: until the server installed the realtime schema and its
# partitions; the storm policy is created the first time.
POLICY_DONE=""
wait_schema() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$(sql -c "select count(*) from pg_inherits where inhparent = to_regclass('realtime.messages')")" = 5 ] && break
    sleep 0.1
  done
  [ "$i" -lt 600 ] || die "the server did not install the realtime schema within 60 s"
  if [ -z "$POLICY_DONE" ]; then
    sql -c "$POLICY_SQL"
    POLICY_DONE=1
  fi
}

# -- server ---------------------------------------------------------------------------

SERVER_PID=""
# start_server NAME POOL: a fresh server on a free port; sets SERVER_PID, PORT.
start_server() {
  local name=$1 pool=$2 i
  reset_db
  local cmd=("$OUT/realtime" --bind 127.0.0.1 --port 0 --jwt-secret "$SECRET" --log-level warn
    --db-host 127.0.0.1 --db-port "$PG_PORT" --db-name "$DB" --db-user postgres
    --slot-name rt_auth --messages-slot-name rt_auth_messages --publication supabase_realtime
    --max-joins-per-second 1000000 --channel-error-backoff-ms 0 --authorization-pool-size "$pool")
  printf '%q ' "${cmd[@]}" | sed "s#$OUT/#build/server/#; s/ \$//" >"$OUT/$name.server.cmd"
  "${cmd[@]}" >"$OUT/$name.server.log" 2>&1 &
  SERVER_PID=$!
  track "$SERVER_PID"
  PORT=""
  for ((i = 0; i < 100; i++)); do
    PORT=$(sed -n 's/^realtime listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$OUT/$name.server.log")
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || die "the server did not start (see $OUT/$name.server.log)"
  wait_schema
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

# bench_cmd NAME ARGS...: the generator's command line in BENCH_CMD, and its
# readable form (tokens named, paths relative) in NAME.cmd.
bench_cmd() {
  local name=$1
  shift
  BENCH_CMD=("$BENCH" --host 127.0.0.1 --port "$PORT" --server-pid "$SERVER_PID" --label "$name"
    --json "$OUT/$name.json" --max-seconds "$BENCH_MAX_SECONDS" "$@")
  printf '%q ' "${BENCH_CMD[@]}" |
    sed "s#$OUT/##g; s#$ROOT/##g; s#$TOKEN_AUTH#\"\$AUTHENTICATED_TOKEN\"#g;
         s#$TOKEN_SERVICE#\"\$SERVICE_ROLE_TOKEN\"#g; s/--port [0-9]*/--port \$PORT/;
         s/--server-pid [0-9]*/--server-pid \$SERVER_PID/; s/ \$//" >"$OUT/$name.cmd"
}

# bench_start NAME: starts BENCH_CMD in the background (BENCH_PID), after a
# snapshot of the server's and the cluster's CPU.
bench_start() {
  M_SERVER=$(cpu_ticks "$SERVER_PID")
  M_PG=$(pg_ticks)
  M_T0=$(date +%s%N)
  "${BENCH_CMD[@]}" >"$OUT/$1.out" 2>&1 &
  BENCH_PID=$!
  track "$BENCH_PID"
}

# bench_finish NAME: waits for the generator (bounded), then writes the CPU
# the server and the cluster used meanwhile to NAME.proc.txt.
bench_finish() {
  wait_pid "$BENCH_PID" "$STEP_TIMEOUT"
  echo "server_ticks=$(($(cpu_ticks "$SERVER_PID") - M_SERVER)) pg_ticks=$(($(pg_ticks) - M_PG))" \
    "clk_tck=$CLK_TCK wall_s=$(awk -v a="$M_T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
    >"$OUT/$1.proc.txt"
}

# -- private joins --------------------------------------------------------------------

# storm NAME POOL ARGS...: one joinstorm run against a fresh server.
storm() {
  local name=$1 pool=$2
  shift 2
  log "$name"
  load_sample "$name"
  start_server "$name" "$pool"
  bench_cmd "$name" --scenario joinstorm --token "$TOKEN_AUTH" --duration-cap 60 "$@"
  bench_start "$name"
  bench_finish "$name"
  stop_server
}

# -- Postgres changes -----------------------------------------------------------------

# writer NAME TABLE: ROW_RATE rows/s for CHANGES_SECONDS, in transactions of
# two rows (one per owner); pgbench's output in NAME.writer.txt.
writer() {
  local name=$1 table=$2 tx_rate=$((ROW_RATE / 2)) txs
  txs=$((tx_rate * CHANGES_SECONDS))
  echo "insert into $table(owner, a) values ('$SUB', 1), ('$OTHER_SUB', 2);" >"$OUT/ins-$table.sql"
  local cmd=(pgbench -n -c 1 -j 1 -R "$tx_rate" -t "$txs" -f "$OUT/ins-$table.sql" "$DB")
  printf '%q ' "${cmd[@]}" | sed "s#$OUT/##g; s/ \$//" >"$OUT/$name.writer.cmd"
  timeout "$STEP_TIMEOUT" "${cmd[@]}" >"$OUT/$name.writer.txt" 2>&1 || log "$name: writer exited $?"
}

# changes NAME TABLE TOKEN EXPECT: SUBSCRIBERS subscribers on TABLE, the
# writer once they are live.
changes() {
  local name=$1 table=$2 token=$3 expect=$4
  log "$name"
  load_sample "$name"
  start_server "$name" 2
  bench_cmd "$name" --scenario changes --token "$token" --topic "realtime:changes-$table" \
    --subscribers "$SUBSCRIBERS" --table "$table" --expect "$expect" --idle-seconds 5 \
    --first-seconds 30 --live-timeout 60 --ready-file "$OUT/$name.ready"
  rm -f "$OUT/$name.ready"
  bench_start "$name"
  if wait_file "$OUT/$name.ready" 90; then
    writer "$name" "$table"
  else
    log "$name: the subscribers did not go live"
  fi
  bench_finish "$name"
  stop_server
}

# probe_row_security: is a binding of the authenticated role on secure_t
# served? Sets RLS_SKIP to the server's refusal when it is not.
RLS_SKIP=""
probe_row_security() {
  local name=probe/rls
  mkdir -p "$OUT/probe"
  log "probe: does the server serve row-level-checked bindings?"
  start_server "$name" 2
  bench_cmd "$name" --scenario changes --token "$TOKEN_AUTH" --topic realtime:probe \
    --subscribers 1 --table secure_t --live-timeout 10 --first-seconds 1 --idle-seconds 1
  bench_start "$name"
  bench_finish "$name"
  stop_server
  if grep -q "$ROW_SECURITY_REFUSAL" "$OUT/$name.json" 2>/dev/null; then
    RLS_SKIP=$(grep -o "$ROW_SECURITY_REFUSAL[^\"\\]*" "$OUT/$name.json" | head -1)
    log "changes-rls-auth skipped: the server refuses the binding (\"$RLS_SKIP\")"
    echo "changes-rls-auth: the server refused the binding of role authenticated on secure_t: \"$RLS_SKIP\"" \
      >"$OUT/skipped.txt"
  elif ! grep -q '"live_subscribers": *1' "$OUT/$name.json" 2>/dev/null; then
    log "probe: the subscriber neither went live nor was refused (see $OUT/$name.out); running anyway"
  fi
}

# -- the whole run --------------------------------------------------------------------

load_sample() {
  echo "$(date -u +%H:%M:%S) $1 load: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
}

prepare() {
  mkdir -p "$OUT"
  log "results in $OUT"
  command -v pgbench >/dev/null || die "pgbench not found (postgresql-client-15)"
  if [ -z "${SKIP_BUILD:-}" ]; then
    cmake --build "$ROOT/build" --target realtime realtime-bench -j2 >"$OUT/build.log" 2>&1 ||
      die "the build failed (see $OUT/build.log)"
  fi
  [ -x "$ROOT/build/server/realtime" ] || die "build/server/realtime is missing; build the server first"
  [ -x "$BENCH" ] || die "$BENCH is missing"
  # A copy: the build directory may be rebuilt while this runs.
  cp "$ROOT/build/server/realtime" "$OUT/realtime"
  CLK_TCK=$(getconf CLK_TCK)
  TOKEN_AUTH=$("$OUT/realtime" --jwt-secret "$SECRET" token --role authenticated --sub "$SUB" --exp-in 7200)
  TOKEN_SERVICE=$("$OUT/realtime" --jwt-secret "$SECRET" token --role service_role --exp-in 7200)
  ulimit -n "$(ulimit -Hn)"
  {
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "dirty_files=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -c . || true)"
    echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine=$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
    echo "postgres=$("$PGBIN/postgres" --version)"
    echo "params=runs=$RUNS connections=$CONNECTIONS multi_connections=$MULTI_CONNECTIONS joins_per_socket=$JOINS_PER_SOCKET pool_sizes=$POOL_SIZES subscribers=$SUBSCRIBERS row_rate=$ROW_RATE changes_seconds=$CHANGES_SECONDS"
    echo "tokens=authenticated with sub $SUB; service_role; HS256, 2 h"
  } >"$OUT/run.txt"
}

one_run() {
  local r=$1 pool rows=$((ROW_RATE / 2 * CHANGES_SECONDS * 2))
  storm "storm-public.$r" 2 --connections "$CONNECTIONS"
  for pool in $POOL_SIZES; do
    storm "storm-private-pool$pool.$r" "$pool" --connections "$CONNECTIONS" --private
  done
  storm "multi-public.$r" 2 --connections "$MULTI_CONNECTIONS" --joins-per-socket "$JOINS_PER_SOCKET"
  for pool in $POOL_SIZES; do
    storm "multi-private-pool$pool.$r" "$pool" --connections "$MULTI_CONNECTIONS" \
      --joins-per-socket "$JOINS_PER_SOCKET" --private
  done
  changes "changes-open.$r" open_t "$TOKEN_AUTH" "$rows"
  changes "changes-rls-service.$r" secure_t "$TOKEN_SERVICE" "$rows"
  if [ -z "$RLS_SKIP" ]; then
    changes "changes-rls-auth.$r" secure_t "$TOKEN_AUTH" $((rows / 2))
  fi
}

main() {
  prepare
  start_postgres
  probe_row_security
  local r
  for ((r = 1; r <= RUNS; r++)); do
    log "run $r of $RUNS"
    one_run "$r"
  done
  echo "finished=$(date -u '+%Y-%m-%d %H:%M UTC')" >>"$OUT/run.txt"
  if [ "$REPORT" != none ]; then
    python3 bench/authorization_report.py "$OUT" "$REPORT"
    log "report: $REPORT"
  fi
}

main "$@"
