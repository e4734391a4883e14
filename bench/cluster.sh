#!/usr/bin/env bash
# Cross-node broadcast benchmark (a benchmark command, not a timed test).
#
# One topic, SUBSCRIBERS subscribers (default 1,000) and one publisher, the
# same generator, on two setups; each run gets a fresh server or cluster
# (started and stopped by PID):
#
#   single     one node: the subscribers and the publisher on it
#   cluster3   three nodes on loopback (each seeding all three, cluster
#              ports chosen free), waited for until every node's /metrics
#              says realtime_cluster_members 2; the subscribers spread evenly
#              over the three nodes' client ports (subscriber i on node
#              i mod 3), the publisher on node 1. A broadcast crosses to each
#              other node once and fans out there.
#
# Per setup: max-*    --msgs MSGS as fast as deliveries come back, at most
#                     WINDOW x subscribers deliveries outstanding
#            paced-*  RATE publishes/s for DURATION seconds (latency)
#
# Reported: deliveries/s, cluster3 / single per run, p50/p99 publish-to-
# receive latency of the paced runs, drops, server CPU per delivery (the CPU
# of every node summed). The generator and every node share the machine's CPUs.
#
#   bench/cluster.sh                         RUNS=3; writes docs/bench/cluster.md
#   RUNS=1 DURATION=3 MSGS=1000 REPORT=/tmp/c.md bench/cluster.sh   a quick pass, docs/ untouched
#
# Environment: RUNS (3), SUBSCRIBERS (1000), MSGS (4000), WINDOW (10), RATE
# (20), DURATION (10), OUT (results directory, default
# build/bench-results/cluster-<time>), REPORT (docs/bench/cluster.md, which
# also refreshes its section in docs/benchmarks.md; another path: that file
# only; "none": no report), SKIP_BUILD=1 (use build/ as it is).
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" cluster
SUBSCRIBERS=${SUBSCRIBERS:-1000}
MSGS=${MSGS:-4000}
WINDOW=${WINDOW:-10}
RATE=${RATE:-20}
DURATION=${DURATION:-10}
HOST=127.0.0.1
# The same flags on every node of both setups.
SERVER_FLAGS=(--bind "$HOST" --port 0 --jwt-secret "$SECRET" --log-level info
  --max-joins-per-second 100000 --max-connections 200000 --connect-error-backoff-ms 0)

NODE_PIDS=()
NODE_PORTS=()

# stop_nodes: SIGTERM to every node at once, then waits for each.
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${NODE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  NODE_PIDS=()
}
trap stop_nodes EXIT

build_and_make_out
write_run_txt "server_built=$(date -u -r "$SERVER" '+%Y-%m-%d %H:%M UTC')"

# free_ports N: N TCP ports free on HOST now (bound together, then released).
free_ports() {
  python3 - "$1" "$HOST" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind((sys.argv[2], 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# start_node K [ARGS...]: node K (1-based) on a free client port, logging to
# $OUT/node.K.log.new; appends its PID and client port to NODE_PIDS / NODE_PORTS.
start_node() {
  local k=$1
  shift
  local log_file=$OUT/node.$k.log.new
  "$SERVER" "${SERVER_FLAGS[@]}" "$@" >"$log_file" 2>&1 &
  local pid=$!
  NODE_PIDS+=("$pid")
  echo "realtime ${SERVER_FLAGS[*]}${*:+ $*}" >"$OUT/node.$k.args"
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^realtime listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$log_file")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    log "node $k did not start:"
    cat "$log_file" >&2
    return 1
  fi
  NODE_PORTS+=("$port")
}

# members PORT: the node's realtime_cluster_members figure (empty if none).
members() {
  curl -s --max-time 2 "http://$HOST:$1/metrics" 2>/dev/null |
    sed -n 's/^realtime_cluster_members \([0-9]*\)$/\1/p'
}

# start_setup single|cluster3: a fresh node or cluster; fills NODE_PIDS/NODE_PORTS.
start_setup() {
  NODE_PIDS=()
  NODE_PORTS=()
  rm -f "$OUT"/node.*.args
  case $1 in
    single)
      start_node 1 || return 1
      ;;
    cluster3)
      local cports seeds k p
      read -r -a cports <<<"$(free_ports 3)"
      seeds=$(printf "$HOST:%s," "${cports[@]}")
      seeds=${seeds%,}
      for k in 1 2 3; do
        start_node "$k" --cluster-port "${cports[k - 1]}" --cluster-host "$HOST" --cluster-seeds "$seeds" || return 1
      done
      # Every node must count the two others before the run starts.
      local ok=""
      for _ in $(seq 1 200); do
        ok=1
        for p in "${NODE_PORTS[@]}"; do
          [ "$(members "$p")" = 2 ] || { ok=""; break; }
        done
        [ -n "$ok" ] && break
        sleep 0.1
      done
      if [ -z "$ok" ]; then
        log "cluster did not converge in 20 s; members: $(for p in "${NODE_PORTS[@]}"; do echo -n "$(members "$p") "; done)"
        return 1
      fi
      ;;
  esac
}

# stop_setup NAME: stops every node by PID; their logs become $OUT/NAME.node.K.log.
stop_setup() {
  local name=$1 k
  stop_nodes
  rm -f "$OUT"/node.*.args
  for k in 1 2 3; do
    [ -f "$OUT/node.$k.log.new" ] && mv "$OUT/node.$k.log.new" "$OUT/$name.node.$k.log"
  done
  return 0
}

# run SETUP NAME ARGS...: one generator run against a fresh SETUP.
run() {
  local setup=$1 name=$2
  shift 2
  log "$name"
  echo "$name load: $(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/load.txt"
  if ! start_setup "$setup"; then
    log "$name: $setup did not start; skipped"
    stop_setup "$name"
    return 0
  fi
  local targets=() k
  for k in "${!NODE_PORTS[@]}"; do
    targets+=(--port "${NODE_PORTS[k]}" --server-pid "${NODE_PIDS[k]}")
  done
  local cmd=("$BENCH" --host "$HOST" "${targets[@]}" --jwt-secret "$SECRET" --label "$name"
    --json "$OUT/$name.json" --max-seconds 110 --topic "realtime:$name" "$@")
  {
    for k in "${!NODE_PORTS[@]}"; do
      echo "# node $((k + 1)): $(cat "$OUT/node.$((k + 1)).args")"
    done
    echo "${cmd[*]}"
  } | sed "s#$OUT/##g; s#$ROOT/##g" >"$OUT/$name.cmd"
  "${cmd[@]}" >"$OUT/$name.out" 2>&1 || log "$name: generator exited $? (see $OUT/$name.out)"
  local pid
  for pid in "${NODE_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || log "$name: node PID $pid exited during the run (see its log)"
  done
  stop_setup "$name"
}

fanout=(--scenario fanout --subscribers "$SUBSCRIBERS" --publishers 1 --size 100)
for r in $(seq 1 "$RUNS"); do
  for setup in single cluster3; do
    run "$setup" "max-$setup.$r" "${fanout[@]}" --msgs "$MSGS" --window "$WINDOW"
    run "$setup" "paced-$setup.$r" "${fanout[@]}" --rate "$RATE" --duration "$DURATION"
  done
done

if [ "$REPORT" != none ]; then
  python3 bench/cluster_report.py "$OUT" "$REPORT"
  log "report: $REPORT"
fi
