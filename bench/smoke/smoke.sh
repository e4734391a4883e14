#!/usr/bin/env bash
# bench.smoke: runs every realtime-bench scenario for about 2 s with small
# sizes against a fresh `realtime` server, and checks that each run exits 0,
# writes its JSON report, completed, and counted no drops and no errors
# (presence runs: no tracker drops, no refusals, and latency samples found).
# The server's presence limits are raised so that the presence runs fit.
# It checks that the generator works, stops and reports; it asserts no timings.
#
#   smoke.sh <realtime-bench binary> <realtime binary>
set -u

BENCH=${1:?usage: smoke.sh <realtime-bench> <realtime>}
REALTIME_BIN=${2:?usage: smoke.sh <realtime-bench> <realtime>}
SECRET=bench-smoke-secret
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX")
SERVER_PID=

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap stop_server EXIT

"$REALTIME_BIN" --bind 127.0.0.1 --port 0 --jwt-secret "$SECRET" \
  --connect-error-backoff-ms 0 --channel-error-backoff-ms 0 \
  --max-joins-per-second 100000 \
  --client-presence-max-calls 1000000 --max-presence-events-per-second 100000000 \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

PORT=
for _ in $(seq 100); do
  PORT=$(sed -n 's|^realtime listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$WORK/server.log")
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$PORT" ]]; then
  echo "FAIL: realtime did not start" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi

FAILED=0

# run <name> <realtime-bench arguments...>
run() {
  local name=$1
  shift
  local json="$WORK/$name.json"
  "$BENCH" --port "$PORT" --jwt-secret "$SECRET" --server-pid "$SERVER_PID" \
    --max-seconds 30 --label "$name" --json "$json" --markdown "$WORK/results.md" "$@" \
    >"$WORK/$name.out" 2>&1
  local rc=$?
  local problems=()
  [[ $rc -eq 0 ]] || problems+=("exit status $rc")
  if [[ ! -s "$json" ]]; then
    problems+=("no JSON report")
  else
    grep -q '"status": "completed"' "$json" || problems+=("status not completed")
    grep -q '"drops": 0,' "$json" || problems+=("drops")
    grep -q '"total": 0,' "$json" || problems+=("errors")
    if grep -q '"ports"' "$json"; then
      grep -q '"received_per_port"' "$json" || problems+=("no deliveries per port")
      grep -A3 '"received_per_port"' "$json" | grep -qE '^ *0,?$' && problems+=("a port got nothing")
    fi
    if grep -q '"tracker_drops"' "$json"; then
      grep -q '"tracker_drops": 0,' "$json" || problems+=("tracker drops")
      grep -q '"refusals": 0,' "$json" || problems+=("presence refusals")
      grep -q '"latency_samples": 0,' "$json" && problems+=("no latency samples")
    fi
  fi
  if [[ ${#problems[@]} -eq 0 ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: ${problems[*]}"
    cat "$WORK/$name.out"
    FAILED=1
  fi
}

run fanout-max-v2     --scenario fanout --subscribers 50 --msgs 200 --window 10 --vsn 2
run fanout-max-v1     --scenario fanout --subscribers 50 --msgs 200 --window 10 --vsn 1
run fanout-max-binary --scenario fanout --subscribers 50 --msgs 200 --window 10 --binary
run fanout-paced-v2   --scenario fanout --subscribers 50 --rate 100 --duration 2 --vsn 2
run fanout-paced-v1   --scenario fanout --subscribers 50 --rate 100 --duration 2 --vsn 1
run fanout-paced-bin  --scenario fanout --subscribers 50 --rate 100 --duration 2 --binary
run rooms             --scenario rooms --rooms 10 --room-size 5 --rate 20 --duration 2
run joinstorm         --scenario joinstorm --connections 200 --duration-cap 20
run joinstorm-multi   --scenario joinstorm --connections 100 --joins-per-socket 5 --duration-cap 20
# Two --port values (the same server twice): subscribers alternate between them.
run fanout-ports      --scenario fanout --subscribers 50 --msgs 200 --window 10 \
  --port "$PORT" --server-pid "$SERVER_PID"
run fanout-slow       --scenario fanout --subscribers 100 --slow-fraction 0.02 --size 1000 --rate 200 --duration 2
run idle              --scenario idle --connections 200 --settle 1
run presence-paced    --scenario presence --subscribers 50 --trackers 5 --rate 100 --duration 2 \
  --topic realtime:presence-paced
run presence-untrack  --scenario presence --subscribers 50 --trackers 5 --rate 100 --duration 2 \
  --churn untrack --vsn 1 --topic realtime:presence-untrack
run presence-max      --scenario presence --subscribers 50 --trackers 5 --msgs 300 --window 5 \
  --topic realtime:presence-max

# The peers' scenarios that need per-topic joins must refuse other targets.
if "$BENCH" --scenario rooms --target raw --port "$PORT" >/dev/null 2>&1; then
  echo "FAIL rooms --target raw was accepted"
  FAILED=1
else
  echo "ok   rooms --target raw refused"
fi

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "FAIL: realtime exited during the smoke test"
  FAILED=1
fi
[[ -f "$WORK/results.md" ]] && cat "$WORK/results.md"
exit $FAILED
