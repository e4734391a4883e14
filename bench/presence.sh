#!/usr/bin/env bash
# Presence churn benchmark (a benchmark command, not a timed test).
#
# SUBSCRIBERS observers (default 1,000) and TRACKERS trackers (50) join one
# realtime topic with presence enabled; the trackers churn and every change
# fans out a presence_diff to all 1,050 channels. Each run gets a fresh
# server (started and stopped by its PID), with the presence limits raised.
#
#   paced-R    every tracker re-tracks a changed meta (an update: one diff
#              joining the new meta and leaving the old), R tracks/s in total
#              for DURATION seconds, R in 50 200 1000 5000
#   untrack-R  track and untrack alternate, R messages/s in total
#   max-W      each tracker tracks again as soon as its reply comes, at most
#              W diffs outstanding per observer, 20,000 tracks
#   bcast-R    the reference: a broadcast of the same size to the same 1,050
#              channels, R/s, on the same server build (cost of a plain
#              broadcast delivery against a presence_diff delivery)
#
# Reported: tracks/s acknowledged, diff deliveries/s, track-to-diff latency at
# the observers (p50/p99/p99.9), server CPU per delivery, drops.
#
#   bench/presence.sh                         RUNS=3; writes docs/bench/presence.md
#   RUNS=1 DURATION=3 REPORT=/tmp/p.md bench/presence.sh   a quick pass, docs/ untouched
#
# Environment: RUNS (3), SUBSCRIBERS (1000), TRACKERS (50), DURATION (10), OUT
# (results directory, default build/bench-results/presence-<time>), REPORT
# (docs/bench/presence.md, which also refreshes its section in
# docs/benchmarks.md; another path: that file only; "none": no report),
# SKIP_BUILD=1 (use build/ as it is).
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" presence
SUBSCRIBERS=${SUBSCRIBERS:-1000}
TRACKERS=${TRACKERS:-50}
DURATION=${DURATION:-10}

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

build_and_make_out
write_run_txt

# start_server: a fresh server on a free port; sets PORT.
start_server() {
  "$SERVER" --bind 127.0.0.1 --port 0 --jwt-secret "$SECRET" --log-level warn \
    --max-joins-per-second 1000000 --client-presence-max-calls 1000000000 \
    --max-presence-events-per-second 1000000000 >"$OUT/server.log.new" 2>&1 &
  SERVER_PID=$!
  PORT=""
  local i
  for i in $(seq 1 100); do
    PORT=$(sed -n 's/^realtime listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$OUT/server.log.new")
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$OUT/server.log.new" >&2; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  mv "$OUT/server.log.new" "$OUT/$1.server.log"
}

# run NAME ARGS...: one generator run against a fresh server.
run() {
  local name=$1
  shift
  log "$name"
  start_server
  local cmd=("$BENCH" --host 127.0.0.1 --port "$PORT" --server-pid "$SERVER_PID"
    --jwt-secret "$SECRET" --label "$name" --json "$OUT/$name.json" --max-seconds 110
    --topic "realtime:$name" "$@")
  echo "${cmd[*]}" | sed "s#$ROOT/##g" >"$OUT/$name.cmd"
  "${cmd[@]}" >"$OUT/$name.out" 2>&1 || log "$name: generator exited $?"
  stop_server "$name"
}

presence=(--scenario presence --subscribers "$SUBSCRIBERS" --trackers "$TRACKERS")
for r in $(seq 1 "$RUNS"); do
  for rate in 50 200 1000 5000; do
    run "paced-$rate.$r" "${presence[@]}" --rate "$rate" --duration "$DURATION"
  done
  run "untrack-1000.$r" "${presence[@]}" --churn untrack --rate 1000 --duration "$DURATION"
  for window in 10 50; do
    run "max-$window.$r" "${presence[@]}" --msgs 20000 --window "$window"
  done
  for rate in 200 1000; do
    run "bcast-$rate.$r" --scenario fanout --subscribers $((SUBSCRIBERS + TRACKERS)) \
      --rate "$rate" --duration "$DURATION"
  done
done

if [ "$REPORT" != none ]; then
  python3 bench/presence_report.py "$OUT" "$REPORT"
  log "report: $REPORT"
fi
