#!/usr/bin/env bash
# Postgres Changes benchmark (a benchmark command, not a timed test).
#
# One PostgreSQL 15 cluster of its own (scripts/pg.sh, port CDC_PG_PORT,
# under a temporary directory), one table t, and the same workloads for every
# contender:
#
#   W1   100k single-row transactions, pgbench -n -c 2 -j 2, maximum rate
#   W1s  W1 with synchronous_commit=on, PostgreSQL's default (pgbench -c 4), for
#        the writer's throughput while a consumer streams
#   W2   one 100k-row transaction (INSERT ... SELECT generate_series)
#   W3   5,000 rows/s for 10 s, single-row transactions (pgbench -R 5000 -T 10)
#   W3f  W3 with the WAL writer flushing every 1 ms (wal_writer_delay = 1ms,
#        wal_writer_flush_after = 0, for that workload only)
#   W3s  W3 with synchronous_commit=on (-c 8)
#
# Contenders:
#   ours        build/server/realtime + 1 realtime-bench subscriber (--scenario changes)
#   recvlogical pg_recvlogical, pgoutput proto 1, into cdc-pgoutput-sink (decodes, times)
#   polling     cdc-slot-poller: pg_logical_slot_get_changes on a wal2json slot, batches
#               of 100, as Supabase Realtime's realtime.list_changes with poll_max_changes 100
#   notify      AFTER INSERT FOR EACH ROW trigger doing pg_notify(row_to_json(NEW)),
#               cdc-notify-listener on LISTEN
#   none        the writer alone (W1), for the writer-throughput comparison
#
# Modes: backlog (slot created before the workload, consumer started after it,
# drain rate) and live (consumer connected first, then the workload: delivered
# rate, lag after the writer stops, commit-to-client latency).
#
# Every writer runs with synchronous_commit=off (as in the peers' CDC figures)
# except W1s and W3s. With asynchronous commit a logical walsender only sends WAL once
# the WAL writer flushed it (every wal_writer_delay, 200 ms), which is a
# latency floor for every WAL-based contender (not for NOTIFY). W3f removes
# most of that floor at the same rate; W3s removes it by making every commit
# wait for its flush (8 writers, so that group commit reaches 5,000 a second).
#
#   bench/cdc.sh                  RUNS=3 repetitions; writes docs/bench/cdc.md
#   RUNS=1 ROWS=20000 PACED_SECONDS=3 REPORT=/tmp/cdc.md bench/cdc.sh   a quick pass, docs/ untouched
#
# Environment: RUNS (3), ROWS (100000), RATE (5000), PACED_SECONDS (10),
# CDC_PG_PORT (55433), OUT (results directory, default
# build/bench-results/cdc-<time>), REPORT (docs/bench/cdc.md, which also refreshes
# the section at the end of docs/benchmarks.md; another path: that file only;
# "none": no report),
# SKIP_BUILD=1 (use the built helpers as they are).
#
# Bounded: every consumer has an expected count, an idle timeout and a hard
# limit; every process started here is stopped by its PID; PostgreSQL is
# stopped at the end whatever happens.
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" cdc
ROWS=${ROWS:-100000}
RATE=${RATE:-5000}
PACED_SECONDS=${PACED_SECONDS:-10}
PG_PORT=${CDC_PG_PORT:-55433}
BUILD=$ROOT/build
SINK=$BUILD/bench/cdc-pgoutput-sink
POLLER=$BUILD/bench/cdc-slot-poller
LISTENER=$BUILD/bench/cdc-notify-listener
PGBIN=/usr/lib/postgresql/15/bin
PUBLICATION=supabase_realtime
TOPIC=realtime:cdc
PAYLOAD='hello world payload of about forty bytes'
CONSUMER_MAX_SECONDS=110 # hard limit of every consumer
IDLE_SECONDS=10          # a consumer stops after this long without a row
PACED_IDLE_SECONDS=3     # ... in the paced workloads, whose row count is not known in advance
STEP_TIMEOUT=150         # hard limit of any wait in this script

WORK=""

# shellcheck source=bench/processes.sh
source "$ROOT/bench/processes.sh"
stop_all_at_exit

# sample_proc PID FILE: samples PID's CPU ticks (utime + stime, from
# /proc/PID/stat) every 50 ms until PID exits (at most STEP_TIMEOUT s) or the
# sampler is stopped, then writes the last sample to FILE. Builtins only (no
# fork per sample), so the sampling costs next to no CPU; the last sample is
# at most 50 ms old when PID exits by itself.
sample_proc() {
  local pid=$1 file=$2 i stat last="" tick
  trap '[ -n "$last" ] && echo "$last 0 0" >"$file"; exit 0' TERM
  exec {tick}<> <(:)
  for ((i = 0; i < STEP_TIMEOUT * 20; i++)); do
    read -r stat 2>/dev/null <"/proc/$pid/stat" || break
    read -r -a f <<<"${stat##*) }"
    last=$((f[11] + f[12]))
    read -r -t 0.05 -u "$tick" _ || true
  done
  [ -n "$last" ] && echo "$last 0 0" >"$file"
}

# start_sampler PID FILE: sets SAMPLER to the sampler's PID.
start_sampler() {
  sample_proc "$1" "$2" &
  SAMPLER=$!
  track "$SAMPLER"
}

# threads PID: "tid comm ticks voluntary nonvoluntary" per thread.
threads() {
  local t stat rest comm v nv line
  for t in /proc/"$1"/task/*; do
    read -r stat 2>/dev/null <"$t/stat" || continue
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    read -r comm 2>/dev/null <"$t/comm" || continue
    v=0 nv=0
    while read -r line; do
      case $line in
        voluntary_ctxt_switches:*) v=${line##*:} ;;
        nonvoluntary_ctxt_switches:*) nv=${line##*:} ;;
      esac
    done 2>/dev/null <"$t/status" || continue
    echo "${t##*/} $comm $((f[11] + f[12])) ${v//[[:space:]]/} ${nv//[[:space:]]/}"
  done
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# -- PostgreSQL -----------------------------------------------------------------------

export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=10
CONNINFO="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
sql() { "$PGBIN/psql" -X -Atq -v ON_ERROR_STOP=1 "$@"; }

start_postgres() {
  WORK=$(mktemp -d /tmp/rt-cdc.XXXXXX)
  chmod 755 "$WORK"
  bash scripts/pg.sh start "$WORK/pg" "$PG_PORT" 2>>"$OUT/pg.sh.log"
  # The peers' CDC settings (shared/bench-peers README section 4). Releases
  # from 15.19 on allow only the output plugins listed in
  # output_plugin_libraries (a list setting: written unquoted, or it becomes
  # one item); earlier ones have no such setting and allow any plugin.
  if [ "$(sql -c "select count(*) from pg_settings where name = 'output_plugin_libraries'")" = 1 ]; then
    sql -c "alter system set output_plugin_libraries = pgoutput, test_decoding, wal2json"
  fi
  sql -c "alter system set shared_buffers = '512MB'" \
    -c "alter system set max_wal_size = '4GB'"
  bash scripts/pg.sh stop "$WORK/pg" 2>>"$OUT/pg.sh.log"
  bash scripts/pg.sh start "$WORK/pg" "$PG_PORT" 2>>"$OUT/pg.sh.log"
  sql -c "create table t (id bigserial primary key, a int not null, b text not null,
                          c timestamptz not null default clock_timestamp())" \
    -c "alter publication $PUBLICATION add table t" \
    -c "create function notify_row() returns trigger language plpgsql as \$\$
          begin perform pg_notify('bench', row_to_json(NEW)::text); return NEW; end \$\$"
  sql -c "select name || ' = ' || current_setting(name) from pg_settings where name in
            ('server_version', 'wal_level', 'output_plugin_libraries', 'shared_buffers',
             'max_wal_size', 'synchronous_commit', 'wal_writer_delay', 'wal_writer_flush_after',
             'max_slot_wal_keep_size', 'fsync', 'TimeZone') order by name" >"$OUT/pg-settings.txt"
  echo "insert into t(a, b) values (1, '$PAYLOAD');" >"$OUT/ins1.sql"
}

# reset: no slot, no trigger, an empty table with ids from 1, a checkpoint.
reset_db() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(sql -c "select count(*) from pg_replication_slots where active")" = 0 ] && break
    sleep 0.1
  done
  sql -c "set client_min_messages = warning" \
    -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots" \
    -c "drop trigger if exists t_notify on t" \
    -c "truncate t restart identity" -c "checkpoint" >/dev/null
}

create_slot() { sql -c "select pg_create_logical_replication_slot('$1', '$2')" >/dev/null; }

# walsender_pid SLOT: the walsender streaming SLOT, waiting up to 20 s for it.
walsender_pid() {
  local i pid
  for ((i = 0; i < 200; i++)); do
    pid=$(sql -c "select active_pid from pg_replication_slots where slot_name = '$1' and active")
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.1
  done
  return 1
}

# -- workloads ------------------------------------------------------------------------

# expected_rows W: rows a consumer waits for (0: the paced workloads run for a
# time, not a count; their consumers stop when idle, and the report compares
# with the rows the table holds).
expected_rows() {
  case $1 in
    W1 | W1s | W2) echo "$ROWS" ;;
    *) echo 0 ;;
  esac
}

idle_for() {
  case $1 in
    W1 | W1s | W2) echo "$IDLE_SECONDS" ;;
    *) echo "$PACED_IDLE_SECONDS" ;;
  esac
}

fast_wal_writer() { # on | off
  if [ "$1" = on ]; then
    sql -c "alter system set wal_writer_delay = '1ms'" -c "alter system set wal_writer_flush_after = 0" \
      -c "select pg_reload_conf()" >/dev/null
  else
    sql -c "alter system reset wal_writer_delay" -c "alter system reset wal_writer_flush_after" \
      -c "select pg_reload_conf()" >/dev/null
  fi
  sleep 0.2
}

# wait_flushed: waits (up to 10 s) until the WAL written so far is flushed. After
# asynchronous commits the last transactions reach disk only with the WAL
# writer's next round, and no logical decoding consumer (walsender or
# pg_logical_slot_get_changes) can see them before; a backlog drain starts
# after that, for every contender alike.
wait_flushed() {
  local target i
  target=$(sql -c "select pg_current_wal_insert_lsn()")
  for ((i = 0; i < 100; i++)); do
    [ "$(sql -c "select pg_current_wal_flush_lsn() >= '$target'::pg_lsn")" = t ] && return 0
    sleep 0.1
  done
  log "WAL not flushed up to $target after 10 s"
}

# writer W NAME: runs workload W; writes $OUT/NAME.writer.json.
writer() {
  local w=$1 name=$2 t0 t1 tps status=0 cmd
  local out=$OUT/$name.writer.txt
  case $w in
    W1) cmd=(pgbench -n -c 2 -j 2 -t $((ROWS / 2)) -f "$OUT/ins1.sql") ;;
    W2) cmd=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -c "insert into t(a, b) select g, '$PAYLOAD' from generate_series(1, $ROWS) g") ;;
    W3 | W3f) cmd=(pgbench -n -c 2 -j 2 -R "$RATE" -T "$PACED_SECONDS" -f "$OUT/ins1.sql") ;;
    W1s) cmd=(pgbench -n -c 4 -j 2 -t $((ROWS / 4)) -f "$OUT/ins1.sql") ;;
    W3s) cmd=(pgbench -n -c 8 -j 2 -R "$RATE" -T "$PACED_SECONDS" -f "$OUT/ins1.sql") ;;
  esac
  local commit=off prefix=""
  case $w in W1s | W3s) commit=on ;; esac
  [ "$w" = W3f ] && prefix="(wal_writer_delay = 1ms, wal_writer_flush_after = 0) "
  echo "${prefix}PGOPTIONS='-c synchronous_commit=$commit' $(printf '%q ' "${cmd[@]}")" | sed "s#$OUT/##g" >"$OUT/$name.writer.cmd"
  [ "$w" = W3f ] && fast_wal_writer on
  t0=$(now_us)
  PGOPTIONS="-c synchronous_commit=$commit" timeout "$STEP_TIMEOUT" "${cmd[@]}" >"$out" 2>&1 || status=$?
  t1=$(now_us)
  [ "$w" = W3f ] && fast_wal_writer off
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | head -1)
  wait_flushed
  local rows
  rows=$(sql -c "select count(*) from t")
  [ -z "$tps" ] && tps=$(awk -v r="$rows" -v s="$((t1 - t0))" 'BEGIN { printf "%.1f", r / (s / 1e6) }')
  printf '{"workload":"%s","status":%d,"tps":%s,"rows":%s,"start_unix_us":%s,"end_unix_us":%s,"seconds":%.6f}\n' \
    "$w" "$status" "$tps" "$rows" "$t0" "$t1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e6 }')" \
    >"$OUT/$name.writer.json"
  [ "$status" = 0 ] || log "$name: writer ended with status $status (see $out)"
}

# -- contender: our server ------------------------------------------------------------

SERVER_PID=""
start_server() {
  local name=$1 port="" i
  "$OUT/realtime" --bind 127.0.0.1 --port 0 --jwt-secret "$SECRET" \
    --db-host 127.0.0.1 --db-port "$PG_PORT" --db-name postgres --db-user postgres \
    --slot-name rt_bench --publication "$PUBLICATION" --log-level info \
    >"$OUT/$name.server.log" 2>&1 &
  SERVER_PID=$!
  track "$SERVER_PID"
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/^realtime listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$OUT/$name.server.log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || die "the server did not start (see $OUT/$name.server.log)"
  SERVER_PORT=$port
}

# subscriber NAME EXPECT: starts realtime-bench in the background; sets BENCH_PID.
subscriber() {
  local name=$1 expect=$2
  local cmd=("$BENCH" --scenario changes --host 127.0.0.1 --port "$SERVER_PORT" --jwt-secret "$SECRET"
    --vsn 2 --topic "$TOPIC" --table t --expect "$expect" --idle-seconds "$IDLE"
    --first-seconds 60 --max-seconds "$CONSUMER_MAX_SECONDS" --server-pid "$SERVER_PID"
    --label "$name" --json "$OUT/$name.json" --ready-file "$OUT/$name.ready")
  { printf '%q ' "${cmd[@]}"; echo; } | sed "s#$OUT/##g; s#$ROOT/##g; s/ \$//" >"$OUT/$name.cmd"
  rm -f "$OUT/$name.ready"
  "${cmd[@]}" >"$OUT/$name.txt" 2>&1 &
  BENCH_PID=$!
  track "$BENCH_PID"
}

finish_sampler() { # SAMPLER_PID SAMPLE_FILE -> the last sample in FILE.final
  stop_pid "$1"
  [ -f "$2" ] && mv -f "$2" "$2.final"
  return 0
}

run_ours() {
  local mode=$1 w=$2 name=$3 expect wal_pid sampler=""
  expect=$(expected_rows "$w")
  IDLE=$(idle_for "$w")
  log "$name"
  reset_db
  create_slot rt_bench pgoutput
  if [ "$mode" = backlog ]; then
    writer "$w" "$name"
    start_server "$name"
    threads "$SERVER_PID" >"$OUT/$name.threads.before"
    subscriber "$name" "$expect"
  else
    start_server "$name"
    subscriber "$name" "$expect"
    wait_file "$OUT/$name.ready" 30 || log "$name: the subscriber did not go live"
  fi
  if wal_pid=$(walsender_pid rt_bench); then
    start_sampler "$wal_pid" "$OUT/$name.walsender"
    sampler=$SAMPLER
    echo "$wal_pid" >"$OUT/$name.walsender.pid"
  fi
  [ "$mode" = live ] && writer "$w" "$name"
  wait_pid "$BENCH_PID" "$STEP_TIMEOUT"
  [ "$mode" = backlog ] && threads "$SERVER_PID" >"$OUT/$name.threads.after"
  [ -n "$sampler" ] && finish_sampler "$sampler" "$OUT/$name.walsender"
  stop_pid "$SERVER_PID"
}

# -- contender: pg_recvlogical --------------------------------------------------------

run_recvlogical() {
  local mode=$1 w=$2 name=$3 expect endpos=() fifo rl_pid sink_pid wal_pid s1="" s2="" t0 t1
  expect=$(expected_rows "$w")
  log "$name"
  reset_db
  create_slot rl_bench pgoutput
  if [ "$mode" = backlog ]; then
    writer "$w" "$name"
    # After asynchronous commits pg_current_wal_lsn() can be short of the last
    # commit records; the insert position is not.
    endpos=(--endpos="$(sql -c "select pg_current_wal_insert_lsn()")")
  fi
  fifo=$OUT/$name.fifo
  rm -f "$fifo"
  mkfifo "$fifo"
  local rl=(pg_recvlogical -d postgres --slot rl_bench --start "${endpos[@]}" -F 0 -f -
    -o proto_version=1 -o "publication_names=$PUBLICATION")
  local sk=("$SINK" --expect "$expect" --idle-seconds "$(idle_for "$w")" --first-seconds 60
    --max-seconds "$CONSUMER_MAX_SECONDS" --json "$OUT/$name.json")
  echo "$(printf '%q ' "${rl[@]}")| $(printf '%q ' "${sk[@]}")" | sed "s#$OUT/##g; s#$ROOT/##g; s/ \$//" >"$OUT/$name.cmd"
  t0=$(now_us)
  "${sk[@]}" <"$fifo" &
  sink_pid=$!
  track "$sink_pid"
  "${rl[@]}" >"$fifo" 2>"$OUT/$name.recvlogical.err" &
  rl_pid=$!
  track "$rl_pid"
  start_sampler "$rl_pid" "$OUT/$name.consumer"
  s1=$SAMPLER
  if wal_pid=$(walsender_pid rl_bench); then
    start_sampler "$wal_pid" "$OUT/$name.walsender"
    s2=$SAMPLER
  fi
  [ "$mode" = live ] && writer "$w" "$name"
  wait_pid "$sink_pid" "$STEP_TIMEOUT"
  t1=$(now_us)
  echo "{\"wall_s\":$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e6 }')}" >"$OUT/$name.wall.json"
  # Backlog: pg_recvlogical stops by itself at --endpos. Live: it is stopped here.
  if [ "$mode" = backlog ]; then wait_pid "$rl_pid" 10; fi
  finish_sampler "$s1" "$OUT/$name.consumer"
  [ -n "$s2" ] && finish_sampler "$s2" "$OUT/$name.walsender"
  stop_pid "$rl_pid"
  rm -f "$fifo"
}

# -- contender: Supabase-style polling ------------------------------------------------

run_polling() {
  local mode=$1 w=$2 name=$3 expect poll_pid backend s1=""
  expect=$(expected_rows "$w")
  log "$name"
  reset_db
  create_slot w2j_bench wal2json
  [ "$mode" = backlog ] && writer "$w" "$name"
  local cmd=("$POLLER" --conninfo "$CONNINFO" --slot w2j_bench --batch 100
    --mode "$([ "$mode" = backlog ] && echo drain || echo live)" --sleep-ms 100
    --expect "$expect" --idle-seconds "$(idle_for "$w")" --first-seconds 60
    --max-seconds "$CONSUMER_MAX_SECONDS" --ready-file "$OUT/$name.ready" --json "$OUT/$name.json")
  { printf '%q ' "${cmd[@]}"; echo; } | sed "s#$OUT/##g; s#$ROOT/##g; s/ \$//" >"$OUT/$name.cmd"
  rm -f "$OUT/$name.ready"
  "${cmd[@]}" 2>"$OUT/$name.err" &
  poll_pid=$!
  track "$poll_pid"
  if wait_file "$OUT/$name.ready" 30; then
    backend=$(cat "$OUT/$name.ready")
    start_sampler "$backend" "$OUT/$name.walsender" # the backend that decodes
    s1=$SAMPLER
  fi
  start_sampler "$poll_pid" "$OUT/$name.consumer"
  local s2=$SAMPLER
  [ "$mode" = live ] && writer "$w" "$name"
  wait_pid "$poll_pid" "$STEP_TIMEOUT"
  [ -n "$s1" ] && finish_sampler "$s1" "$OUT/$name.walsender"
  finish_sampler "$s2" "$OUT/$name.consumer"
}

# -- contender: trigger + LISTEN/NOTIFY -----------------------------------------------

run_notify() {
  local w=$1 name=$2 expect listen_pid s1=""
  expect=$(expected_rows "$w")
  log "$name"
  reset_db
  sql -c "create trigger t_notify after insert on t for each row execute function notify_row()"
  local cmd=("$LISTENER" --conninfo "$CONNINFO" --channel bench --expect "$expect"
    --idle-seconds "$(idle_for "$w")" --first-seconds 60 --max-seconds "$CONSUMER_MAX_SECONDS"
    --ready-file "$OUT/$name.ready" --json "$OUT/$name.json")
  { printf '%q ' "${cmd[@]}"; echo; } | sed "s#$OUT/##g; s#$ROOT/##g; s/ \$//" >"$OUT/$name.cmd"
  rm -f "$OUT/$name.ready"
  "${cmd[@]}" 2>"$OUT/$name.err" &
  listen_pid=$!
  track "$listen_pid"
  if wait_file "$OUT/$name.ready" 30; then
    start_sampler "$(cat "$OUT/$name.ready")" "$OUT/$name.walsender" # the listener's backend
    s1=$SAMPLER
  fi
  start_sampler "$listen_pid" "$OUT/$name.consumer"
  local s2=$SAMPLER
  writer "$w" "$name"
  wait_pid "$listen_pid" "$STEP_TIMEOUT"
  [ -n "$s1" ] && finish_sampler "$s1" "$OUT/$name.walsender"
  finish_sampler "$s2" "$OUT/$name.consumer"
  sql -c "drop trigger t_notify on t"
}

# run_none W NAME: the writer alone.
run_none() {
  local w=$1 name=$2
  log "$name"
  reset_db
  writer "$w" "$name"
}

# -- the whole run --------------------------------------------------------------------

prepare() {
  mkdir -p "$OUT"
  log "results in $OUT"
  if ! dpkg -s postgresql-15-wal2json >/dev/null 2>&1; then
    log "installing postgresql-15-wal2json"
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-wal2json >"$OUT/apt.log" 2>&1 ||
      die "apt-get install postgresql-15-wal2json failed (see $OUT/apt.log)"
  fi
  local tool
  for tool in pgbench pg_recvlogical; do
    command -v "$tool" >/dev/null || die "$tool not found (postgresql-client-15)"
  done
  [ -x "$ROOT/build/server/realtime" ] || die "build/server/realtime is missing; build the server first"
  if [ -z "${SKIP_BUILD:-}" ]; then
    for tool in realtime-bench cdc-pgoutput-sink cdc-slot-poller cdc-notify-listener; do
      cmake --build "$BUILD" --target "$tool" -j1 >"$OUT/build-$tool.log" 2>&1 ||
        die "building $tool failed (see $OUT/build-$tool.log)"
    done
  fi
  # A copy: the shared build directory may be rebuilt while this runs.
  cp "$ROOT/build/server/realtime" "$OUT/realtime"
  {
    echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "dirty_files=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -c . || true)"
    echo "server_binary_mtime=$(date -u -r "$ROOT/build/server/realtime" +%Y-%m-%dT%H:%M:%SZ)"
    echo "server_binary_sha256=$(sha256sum "$OUT/realtime" | cut -c1-16)"
    echo "cpus=$(nproc)"
    echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "mem_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "postgres=$("$PGBIN/postgres" --version)"
    echo "wal2json=$(dpkg-query -W -f '${Version}' postgresql-15-wal2json)"
    echo "runs=$RUNS rows=$ROWS rate=$RATE paced_seconds=$PACED_SECONDS"
  } >"$OUT/machine.txt"
}

# load NAME: the load average and the busiest other processes, as evidence of
# what else the machine was doing.
load() {
  {
    echo "== $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
    ps -eo pcpu,comm --sort=-pcpu | sed -n 2,6p
  } >>"$OUT/load.txt"
}

# rotate N WORDS...: the words rotated left by N (the contenders' order
# changes from one repetition to the next, so that none always runs first).
rotate() {
  local n=$1
  shift
  local words=("$@") i
  for ((i = 0; i < ${#words[@]}; i++)); do
    printf '%s ' "${words[(i + n) % ${#words[@]}]}"
  done
}

one_run() {
  local r=$1 w c
  load
  run_none W1 "r$r.none.live.W1"
  run_none W1s "r$r.none.live.W1s"
  # Each workload runs for every contender back to back, so that a change in
  # the machine's other load hits them alike.
  for w in W1 W2; do
    for c in $(rotate $((r - 1)) ours recvlogical polling); do
      case $c in
        ours) run_ours backlog "$w" "r$r.ours.backlog.$w" ;;
        recvlogical) run_recvlogical backlog "$w" "r$r.recvlogical.backlog.$w" ;;
        polling) run_polling backlog "$w" "r$r.polling.backlog.$w" ;;
      esac
    done
  done
  for w in W1 W1s W2 W3 W3f W3s; do
    for c in $(rotate $((r - 1)) ours recvlogical notify polling); do
      case $c in
        ours) run_ours live "$w" "r$r.ours.live.$w" ;;
        recvlogical) run_recvlogical live "$w" "r$r.recvlogical.live.$w" ;;
        notify) run_notify "$w" "r$r.notify.live.$w" ;;
        polling) if [ "$w" = W3 ]; then run_polling live W3 "r$r.polling.live.W3"; fi ;;
      esac
    done
  done
  run_none W1 "r$r.none2.live.W1"
  run_none W1s "r$r.none2.live.W1s"
  load
}

main() {
  prepare
  start_postgres
  local r
  for ((r = 1; r <= RUNS; r++)); do
    log "run $r of $RUNS"
    one_run "$r"
  done
  echo "finished_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/machine.txt"
  if [ "$REPORT" != none ]; then
    # The section at the end of docs/benchmarks.md follows the default report only.
    local section=()
    [ "$REPORT" = "$ROOT/docs/bench/cdc.md" ] && section=("$ROOT/docs/benchmarks.md")
    python3 bench/cdc_report.py "$OUT" "$REPORT" "${section[@]}"
    log "wrote $REPORT"
  fi
}

main "$@"
