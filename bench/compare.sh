#!/usr/bin/env bash
# Side-by-side benchmark: installs the peers, builds the server and the load
# generator, then drives our server and every peer with the same generator,
# scenario and window, one after another in the same run, and writes
# docs/benchmarks.md (plus raw JSON and a latency plot).
#
#   bench/compare.sh                 full run (about 20 minutes on 2 cores)
#   QUICK=1 bench/compare.sh         one pass of each, smaller sweeps
#
# Environment: PEERS (default "uws nchan ws sio soketi mosquitto"), RUNS (5:
# max-mode runs per system; the paced, thread-split and join-storm runs are
# repeated 3 times), SUBSCRIBERS (1000), WINDOW (10), OUT (results directory).
# The machine is noisy: every table quotes the median run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PEERS=${PEERS:-"uws nchan ws sio soketi mosquitto"}
RUNS=${RUNS:-5}
REPEAT=3
SUBSCRIBERS=${SUBSCRIBERS:-1000}
WINDOW=${WINDOW:-10}
SIZE=100
SECRET=bench-secret-at-least-32-bytes-long!!
OUT=${OUT:-$ROOT/build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
BENCH=$ROOT/build/bench/realtime-bench
SERVER=$ROOT/build/server/realtime
if [ -n "${QUICK:-}" ]; then RUNS=1 REPEAT=1; fi

log() { echo "compare: $*" >&2; }

SERVER_PID=""
PEER_RUNDIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$PEER_RUNDIR" ] && bash bench/peers/peers.sh stop "$PEER_RUNDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

prepare() {
  bash scripts/setup.sh
  bash scripts/build.sh
  bash bench/peers/peers.sh install
  ulimit -n "$(ulimit -Hn)"
  mkdir -p "$OUT"
  log "results in $OUT"
}

# start_realtime [SERVER ARGS...]: starts our server on a free port; sets PORT
# and PID. Its log goes to $OUT/realtime.log (appended).
start_realtime() {
  local log_file=$OUT/realtime.log
  : >"$log_file.new"
  "$SERVER" --bind 127.0.0.1 --port 0 --jwt-secret "$SECRET" \
    --max-joins-per-second 1000000 --max-connections 200000 \
    --connect-error-backoff-ms 0 --log-level warn "$@" >"$log_file.new" 2>&1 &
  SERVER_PID=$!
  local i
  for i in $(seq 1 100); do
    PORT=$(sed -n 's/^realtime listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$log_file.new")
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$log_file.new" >&2; exit 1; }
  PID=$SERVER_PID
  echo "realtime $*" | sed "s#$ROOT/##g" >"$OUT/server-args.$SERVER_PID"
}

# stop_realtime [NAME]: stops the server; its log is kept as $OUT/NAME.log.
stop_realtime() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  cat "$OUT/realtime.log.new" >>"$OUT/realtime.log"
  [ -n "${1:-}" ] && cp "$OUT/realtime.log.new" "$OUT/$1.log"
  rm -f "$OUT/realtime.log.new"
}

# start_peer PEER: sets PORT, PID and TARGET_ARGS.
start_peer() {
  PEER_RUNDIR=$OUT/run-$1
  local env_lines paths
  env_lines=$(bash bench/peers/peers.sh start "$1" "$PEER_RUNDIR")
  PID=$(sed -n 's/^pid=//p' <<<"$env_lines")
  PORT=$(sed -n 's/^port=//p' <<<"$env_lines")
  paths=$(bash bench/peers/peers.sh paths "$1")
  local target sub pub
  target=$(tr ' ' '\n' <<<"$paths" | sed -n 's/^target=//p')
  sub=$(tr ' ' '\n' <<<"$paths" | sed -n 's/^sub=//p')
  pub=$(tr ' ' '\n' <<<"$paths" | sed -n 's/^pub=//p')
  TARGET_ARGS=(--target "$target")
  [ "$target" = raw ] && TARGET_ARGS+=(--sub-path "$sub" --pub-path "$pub")
  return 0
}

stop_peer() {
  bash bench/peers/peers.sh stop "$PEER_RUNDIR" >/dev/null
  PEER_RUNDIR=""
}

# bench NAME ARGS...: one generator run against PORT/PID, JSON into $OUT/NAME.json.
bench() {
  local name=$1
  shift
  log "$name"
  local cmd=("$BENCH" --host 127.0.0.1 --port "$PORT" --server-pid "$PID" --label "$name"
    --json "$OUT/$name.json" --max-seconds 110 "$@")
  {
    [ -f "$OUT/server-args.$PID" ] && echo "# server: $(cat "$OUT/server-args.$PID")"
    echo "${cmd[*]}" | sed "s#$ROOT/##g"
  } >"$OUT/$name.cmd"
  "$BENCH" --host 127.0.0.1 --port "$PORT" --server-pid "$PID" --label "$name" \
    --json "$OUT/$name.json" --max-seconds 110 "$@" >"$OUT/$name.txt" 2>&1 ||
    log "$name ended with status $? (see $OUT/$name.txt)"
}

# The scenarios every system runs.
common_scenarios() {
  local who=$1 msgs=$2
  shift 2
  bench "$who.idle" --scenario idle --connections "$SUBSCRIBERS" --settle 2 "$@"
  local r
  for r in $(seq 1 "$RUNS"); do
    bench "$who.max.$r" --scenario fanout --subscribers "$SUBSCRIBERS" --size "$SIZE" \
      --msgs "$msgs" --window "$WINDOW" "$@"
  done
  for r in $(seq 1 "$REPEAT"); do
    bench "$who.paced20.$r" --scenario fanout --subscribers "$SUBSCRIBERS" --size "$SIZE" \
      --rate 20 --duration 5 "$@"
  done
}

run_realtime() {
  local rt=(--target realtime --jwt-secret "$SECRET" --vsn 2)
  start_realtime
  common_scenarios realtime 5000 "${rt[@]}"
  bench realtime.binary --scenario fanout --subscribers "$SUBSCRIBERS" --size "$SIZE" \
    --msgs 5000 --window "$WINDOW" "${rt[@]}" --binary
  bench realtime.vsn1 --scenario fanout --subscribers "$SUBSCRIBERS" --size "$SIZE" \
    --msgs 5000 --window "$WINDOW" --target realtime --jwt-secret "$SECRET" --vsn 1
  sweep realtime "${rt[@]}"
  bench realtime.rooms --scenario rooms --rooms 100 --room-size 10 --rate 10 --duration 5 "${rt[@]}"
  stop_realtime
  # Join storms, each on a fresh server: one join per new socket (connection
  # rate), and ten channels per socket (join rate).
  start_realtime
  bench realtime.joinstorm --scenario joinstorm --connections 5000 --duration-cap 60 \
    --sources 2 "${rt[@]}"
  stop_realtime
  local r
  for r in $(seq 1 "$REPEAT"); do
    start_realtime
    bench "realtime.joinstorm10.$r" --scenario joinstorm --connections 3000 \
      --joins-per-socket 10 --duration-cap 60 --sources 2 "${rt[@]}"
    stop_realtime
  done
  run_thread_split "${rt[@]}"
  run_slow_consumers "${rt[@]}"
  run_idle_at_scale "${rt[@]}"
}

# sweep WHO ARGS...: latency against offered rate (1,000 subscribers, paced).
sweep() {
  local who=$1
  shift
  local rates="20 50 100 200 400 700"
  [ "$who" != realtime ] && rates="20 100 400"
  [ -n "${QUICK:-}" ] && rates="20 200"
  local rate
  for rate in $rates; do
    bench "$who.sweep.$rate" --scenario fanout --subscribers "$SUBSCRIBERS" \
      --size "$SIZE" --rate "$rate" --duration 4 "$@"
  done
}

# The same max-mode fan-out with other I/O / actor thread counts.
run_thread_split() {
  local split io actor r
  for split in 2-1 1-2 2-2; do
    io=${split%-*}
    actor=${split#*-}
    start_realtime --io-threads "$io" --actor-threads "$actor"
    for r in $(seq 1 "$REPEAT"); do
      bench "realtime.threads.$split.$r" --scenario fanout --subscribers "$SUBSCRIBERS" \
        --size "$SIZE" --msgs 5000 --window "$WINDOW" "$@"
      bench "realtime.threads.$split.paced20.$r" --scenario fanout \
        --subscribers "$SUBSCRIBERS" --size "$SIZE" --rate 20 --duration 5 "$@"
    done
    stop_realtime
  done
}

# 1% of the subscribers stop reading: the others' latency and the server's
# memory, against the same run without them. The queue bound is lowered to
# 1 MiB so that the stalled clients reach it within the run.
run_slow_consumers() {
  local fraction
  for fraction in 0 0.01; do
    start_realtime --outbound-queue-bytes 1048576
    bench "realtime.slow.$fraction" --scenario fanout --subscribers "$SUBSCRIBERS" \
      --size 1000 --rate 200 --duration 25 --slow-fraction "$fraction" "$@"
    stop_realtime "realtime.slow.$fraction"
  done
}

# Memory per idle joined connection at scale, each on a fresh server. Both
# processes need a descriptor per connection, so the count is capped by the
# open-files limit.
run_idle_at_scale() {
  local limit n
  limit=$(ulimit -n)
  echo "$limit" >"$OUT/nofile"
  for n in 10000 50000; do
    if [ "$n" -gt $((limit - 1000)) ]; then
      n=$((limit - 1000))
      log "open-files limit $limit: idle run capped at $n connections"
    fi
    start_realtime
    bench "realtime.idle$n" --scenario idle --connections "$n" --settle 3 \
      --sources $((n / 10000 + 2)) "$@"
    stop_realtime
  done
}

# Cross-check of the generator: the shared C generator against uWebSockets.js
# with the same subscribers, messages and window.
run_wsfan_check() {
  local wsfan=$OUT/wsfan src=$ROOT/../shared/bench-peers/wsfan.c
  [ -f "$src" ] || { log "no $src: generator cross-check skipped"; return 0; }
  cc -O2 -o "$wsfan" "$src" -lcrypto
  start_peer uws
  local r
  for r in $(seq 1 "$RUNS"); do
    log "wsfan.uws.$r"
    echo "wsfan --peer=uws --port=$PORT --n=$SUBSCRIBERS --msgs=5000 --window=$WINDOW --size=$SIZE --dur=2 --rate=20 --pid=$PID" \
      >"$OUT/wsfan.uws.$r.cmd"
    "$wsfan" --peer=uws --port="$PORT" --n="$SUBSCRIBERS" --msgs=5000 --window="$WINDOW" \
      --size="$SIZE" --dur=2 --rate=20 --pid="$PID" >"$OUT/wsfan.uws.$r.json" 2>"$OUT/wsfan.uws.$r.err" ||
      log "wsfan ended with status $?"
  done
  stop_peer
}

run_peer() {
  local peer=$1 msgs=1500
  case "$peer" in uws) msgs=5000 ;; nchan) msgs=3000 ;; esac
  start_peer "$peer"
  common_scenarios "$peer" "$msgs" "${TARGET_ARGS[@]}"
  case "$peer" in uws | nchan) sweep "$peer" "${TARGET_ARGS[@]}" ;; esac
  stop_peer
}

main() {
  prepare
  run_realtime
  local peer
  for peer in $PEERS; do
    run_peer "$peer"
  done
  run_wsfan_check
  python3 bench/report.py "$OUT" "$ROOT/docs/benchmarks.md" "$ROOT/docs/bench"
  log "wrote docs/benchmarks.md"
}

main "$@"
