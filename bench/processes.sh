# Sourced by the benchmark commands that start background processes and a
# private PostgreSQL (bench/cdc.sh, bench/authorization.sh). Every process
# they start is tracked by PID and stopped by PID, never by name; every wait
# is bounded. The sourcing script sourced bench/common.sh first (log(), the
# checkout's root as the working directory).

PIDS=() # every background process started here, stopped by PID at exit

track() { PIDS+=("$1"); }

# untrack PID: PID was reaped; forget it so that a reused number is never signalled.
untrack() {
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# alive PID: PID exists and is not a zombie.
alive() {
  local line
  [ -r "/proc/$1/status" ] || return 1
  while read -r line; do
    case $line in State:*Z*) return 1 ;; State:*) return 0 ;; esac
  done 2>/dev/null <"/proc/$1/status"
  return 1
}

# stop_pid PID: SIGTERM, then SIGKILL after 5 s; bounded. Only PIDs started here.
stop_pid() {
  local pid=$1 i
  if alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    alive "$pid" && kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
  untrack "$pid"
}

# wait_pid PID SECONDS: waits for PID to exit by itself; stops it after SECONDS.
wait_pid() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 20; i++)); do
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      untrack "$pid"
      return 0
    fi
    sleep 0.05
  done
  log "pid $pid still running after $limit s; stopping it"
  stop_pid "$pid"
}

# wait_file FILE SECONDS: until FILE exists and is not empty; false after SECONDS.
wait_file() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# stop_all WORK OUT: stops every tracked process, then the scripts/pg.sh
# cluster under WORK/pg (if WORK is set), keeps its log as OUT/postgresql.log
# and removes WORK and the cluster's directory.
stop_all() {
  local work=$1 out=$2 pid area
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  [ -n "$work" ] || return 0
  bash scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  area=$(bash scripts/pg.sh path "$work/pg" 2>/dev/null || true)
  [ -n "$area" ] && [ -f "$area/server.log" ] && cp "$area/server.log" "$out/postgresql.log" 2>/dev/null
  rm -rf "$work" "${area:-/nonexistent}" 2>/dev/null || true
}

# stop_all_at_exit: stop_all "$WORK" "$OUT" when the script exits, with the
# values they have then; SIGINT and SIGTERM exit (130).
stop_all_at_exit() {
  trap 'stop_all "$WORK" "$OUT"' EXIT
  trap 'exit 130' INT TERM
}
