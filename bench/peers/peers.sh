#!/usr/bin/env bash
# Comparison peers for side-by-side benchmarks: install them, start one, stop it.
#
#   peers.sh install                    Debian packages + npm ci (idempotent)
#   peers.sh start PEER RUNDIR [PORT]   start PEER on 127.0.0.1 (a free port if none given)
#   peers.sh stop RUNDIR                stop what `start` recorded in RUNDIR, by PID
#   peers.sh paths PEER                 WebSocket paths and protocol for a load generator
#
# PEER is one of: uws nchan ws sio soketi mosquitto.
# `start` prints on stdout (everything else goes to stderr):
#   pid=<PID to measure>  pids=<every PID to stop>  port=<WebSocket port>
# and for mosquitto also ws_port=<WebSocket port> and mqtt_port=<plain MQTT port>.
# The same lines are kept in RUNDIR/peer.env, with the start times `stop` checks against.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS="uws nchan ws sio soketi mosquitto"
DEB_PKGS="nginx libnginx-mod-nchan mosquitto gnuplot-nox"
START_TIMEOUT=15   # seconds until the peer must accept TCP connections
STOP_TIMEOUT=10    # seconds between TERM and KILL

die() { echo "peers.sh: $*" >&2; exit 1; }
log() { echo "peers.sh: $*" >&2; }

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_peer() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- install
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"; fi
}

deb_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

cmd_install() {
  local missing="" p
  for p in $DEB_PKGS; do deb_installed "$p" || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    log "installing Debian packages:$missing"
    # Debian's maintainer scripts would start the system nginx and mosquitto services;
    # a policy-rc.d that exits 101 forbids that. Create one only if there is none.
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
      made_policy=1
    fi
    local rc=0
    as_root apt-get update -q >&2 || rc=$?
    if [ "$rc" -eq 0 ]; then
      # shellcheck disable=SC2086
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || rc=$?
    fi
    [ "$made_policy" -eq 1 ] && as_root rm -f /usr/sbin/policy-rc.d
    [ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
  else
    log "Debian packages present: $DEB_PKGS"
  fi

  command -v node >/dev/null 2>&1 || die "node is not installed"
  command -v npm >/dev/null 2>&1 || die "npm is not installed"
  local stamp="$HERE/node_modules/.peers-npm-ci"
  if [ ! -d "$HERE/node_modules" ] || [ ! -e "$stamp" ] || [ "$HERE/package-lock.json" -nt "$stamp" ]; then
    log "npm ci in $HERE"
    (cd "$HERE" && npm ci --no-audit --no-fund >&2)
    touch "$stamp"
  else
    log "node_modules up to date"
  fi
  log "versions: nginx $(dpkg-query -W -f='${Version}' nginx)," \
        "nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan)," \
        "mosquitto $(dpkg-query -W -f='${Version}' mosquitto)," \
        "node $(node -v)," \
        "$(cd "$HERE" && node -p "['ws','socket.io','@soketi/soketi','@trufflesuite/uws-js-unofficial'].map(p => p + ' ' + require(p + '/package.json').version).join(', ')")"
}

# ---------------------------------------------------------------- helpers for start/stop
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != "Z" ]; }

# Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat): with the PID
# it names one process, so `stop` never signals an unrelated process that reused the PID.
starttime() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo "${20}"
}

nofile_limit() {
  local h
  h=$(ulimit -Hn)
  [ "$h" = unlimited ] && h=$(cat /proc/sys/fs/nr_open)
  echo "$h"
}

# Launch "$@" in its own session, stdio to $LOG, with the open-files limit raised to the hard
# limit, from directory $RUNDIR. Sets LAUNCHED to the PID of the exec'd program.
launch() {
  local nofile
  nofile=$(nofile_limit)
  (
    ulimit -n "$nofile"
    cd "$RUNDIR"
    exec setsid "$@"
  ) </dev/null >>"$LOG" 2>&1 &
  LAUNCHED=$!
}

fail_start() {
  local p c
  log "$PEER failed to start: $*"
  if [ -s "$LOG" ]; then
    echo "---- last lines of $LOG" >&2
    tail -n 30 "$LOG" >&2
  fi
  if [ "$PEER" = nchan ] && [ -s "$RUNDIR/nchan-error.log" ]; then
    echo "---- last lines of $RUNDIR/nchan-error.log" >&2
    tail -n 30 "$RUNDIR/nchan-error.log" >&2
  fi
  for p in $ALL_PIDS; do
    # an nginx master's worker does not die with the master: take the children too
    for c in $(pgrep -P "$p" || true); do kill -KILL "$c" 2>/dev/null || true; done
    if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  rm -f "$RUNDIR/peer.env"
  exit 1
}

# ---------------------------------------------------------------- start
cmd_start() {
  if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
  PEER=$1; RUNDIR=$2
  local port=${3:-}
  is_peer "$PEER" || die "unknown peer '$PEER' (one of: $PEERS)"
  mkdir -p "$RUNDIR"
  RUNDIR=$(cd "$RUNDIR" && pwd)
  if [ -e "$RUNDIR/peer.env" ]; then
    local old
    old=$(sed -n 's/^pid=//p' "$RUNDIR/peer.env")
    if alive "$old"; then die "$RUNDIR already has a running peer (pid $old); stop it first"; fi
    rm -f "$RUNDIR/peer.env"
  fi
  if [ -z "$port" ]; then port=$(free_port); fi
  case "$port" in ''|*[!0-9]*) die "bad port '$port'" ;; esac
  if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "bad port '$port'"; fi
  accepts "$port" && die "port $port on 127.0.0.1 is already in use"

  LOG="$RUNDIR/$PEER.log"
  : >"$LOG"
  ALL_PIDS=""
  local mqtt_port="" main_pid="" measure_pid="" f
  case "$PEER" in
    ws|uws|sio)
      [ -d "$HERE/node_modules" ] || die "run '$0 install' first"
      PORT=$port launch node "$HERE/$PEER-server.js"
      main_pid=$LAUNCHED ;;
    soketi)
      [ -d "$HERE/node_modules" ] || die "run '$0 install' first"
      local metrics_port
      metrics_port=$(free_port)
      SOKETI_HOST=127.0.0.1 SOKETI_PORT=$port \
      SOKETI_METRICS_HOST=127.0.0.1 SOKETI_METRICS_SERVER_PORT=$metrics_port \
      SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=true SOKETI_DEFAULT_APP_MAX_CONNS=-1 \
        launch node "$HERE/node_modules/@soketi/soketi/bin/server.js" start
      main_pid=$LAUNCHED ;;
    nchan)
      command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || die "nginx missing; run '$0 install'"
      [ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || die "nchan module missing; run '$0 install'"
      local conns
      conns=$(nofile_limit); [ "$conns" -gt 65536 ] && conns=65536
      mkdir -p "$RUNDIR/tmp"
      sed -e "s|@RUNDIR@|$RUNDIR|g" -e "s|@PORT@|$port|g" -e "s|@CONNS@|$conns|g" \
        "$HERE/nchan.conf.in" >"$RUNDIR/nginx.conf"
      : >"$RUNDIR/nchan-error.log"
      launch /usr/sbin/nginx -p "$RUNDIR/" -e "$RUNDIR/nchan-error.log" -c "$RUNDIR/nginx.conf"
      main_pid=$LAUNCHED ;;
    mosquitto)
      [ -x /usr/sbin/mosquitto ] || die "mosquitto missing; run '$0 install'"
      mqtt_port=$(free_port)
      [ "$mqtt_port" != "$port" ] || mqtt_port=$(free_port)
      sed -e "s|@WS_PORT@|$port|g" -e "s|@MQTT_PORT@|$mqtt_port|g" \
        "$HERE/mosquitto.conf.in" >"$RUNDIR/mosquitto.conf"
      launch /usr/sbin/mosquitto -c "$RUNDIR/mosquitto.conf"
      main_pid=$LAUNCHED ;;
  esac
  ALL_PIDS=$main_pid

  # Wait (bounded) until the peer accepts TCP connections on every port it listens on.
  local deadline=$((SECONDS + START_TIMEOUT)) ok=0
  while [ $SECONDS -lt $deadline ]; do
    alive "$main_pid" || fail_start "process $main_pid exited"
    if accepts "$port" && { [ -z "$mqtt_port" ] || accepts "$mqtt_port"; }; then ok=1; break; fi
    sleep 0.1
  done
  [ "$ok" -eq 1 ] || fail_start "no TCP listener on 127.0.0.1:$port after ${START_TIMEOUT}s"
  measure_pid=$main_pid

  if [ "$PEER" = nchan ]; then
    # Measure the worker, not the master: wait for the master's "worker process" child.
    local w=""
    while [ $SECONDS -lt $deadline ]; do
      for f in $(pgrep -P "$main_pid" || true); do
        if tr '\0' ' ' <"/proc/$f/cmdline" 2>/dev/null | grep -q 'worker process'; then w=$f; break; fi
      done
      [ -n "$w" ] && break
      alive "$main_pid" || fail_start "nginx master exited"
      sleep 0.1
    done
    [ -n "$w" ] || fail_start "no nginx worker process after ${START_TIMEOUT}s"
    measure_pid=$w
    ALL_PIDS="$main_pid $w"
  fi

  # Record: the first PID in pids is the one `stop` sends TERM to first.
  local times="" p
  for p in $ALL_PIDS; do times="$times $(starttime "$p" || echo 0)"; done
  {
    echo "peer=$PEER"
    echo "pid=$measure_pid"
    echo "pids=$ALL_PIDS"
    echo "port=$port"
    if [ "$PEER" = mosquitto ]; then echo "ws_port=$port"; echo "mqtt_port=$mqtt_port"; fi
    echo "starttimes=${times# }"
  } >"$RUNDIR/peer.env"
  echo "pid=$measure_pid"
  echo "pids=$ALL_PIDS"
  echo "port=$port"
  if [ "$PEER" = mosquitto ]; then echo "ws_port=$port"; echo "mqtt_port=$mqtt_port"; fi
  log "$PEER listening on 127.0.0.1:$port (log: $LOG)"
}

# ---------------------------------------------------------------- stop
cmd_stop() {
  [ $# -eq 1 ] || usage
  local rundir=$1 env
  env="$rundir/peer.env"
  if [ ! -e "$env" ]; then log "nothing recorded in $rundir"; return 0; fi
  local peer pids times
  peer=$(sed -n 's/^peer=//p' "$env")
  pids=$(sed -n 's/^pids=//p' "$env")
  times=$(sed -n 's/^starttimes=//p' "$env")
  # Keep only PIDs that still name the process we started (same start time).
  local live="" p t i=1
  for p in $pids; do
    t=$(echo "$times" | cut -d' ' -f"$i"); i=$((i + 1))
    if alive "$p" && [ "$(starttime "$p" || true)" = "$t" ]; then live="$live $p"; fi
  done
  live=${live# }
  if [ -z "$live" ]; then
    log "$peer in $rundir was not running"
    rm -f "$env"
    return 0
  fi
  # TERM the first (nginx master / the node or mosquitto process), let it take its children
  # down, then TERM whatever is left, then KILL after the bounded wait.
  local first=${live%% *} rest deadline
  kill -TERM "$first" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    rest=""
    for p in $live; do alive "$p" && rest="$rest $p"; done
    [ -z "$rest" ] && break
    alive "$first" || for p in $rest; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.1
  done
  rest=""
  for p in $live; do alive "$p" && rest="$rest $p"; done
  if [ -n "$rest" ]; then
    log "still running after ${STOP_TIMEOUT}s, sending KILL to:$rest"
    for p in $rest; do kill -KILL "$p" 2>/dev/null || true; done
  fi
  # Exited processes stay as zombies until their new parent (init) reaps them; wait for
  # that (bounded) so that nothing of the peer is listed once `stop` returns.
  deadline=$((SECONDS + 3))
  while [ $SECONDS -lt $deadline ]; do
    rest=""
    for p in $live; do [ -e "/proc/$p" ] && rest="$rest $p"; done
    [ -z "$rest" ] && break
    sleep 0.1
  done
  rm -f "$env"
  log "stopped $peer ($live)"
}

# ---------------------------------------------------------------- paths
cmd_paths() {
  [ $# -eq 1 ] || usage
  # One line of space-separated key=value pairs; no value contains a space.
  case "$1" in
    uws|ws|nchan) echo "target=raw sub=/sub pub=/pub" ;;
    sio) echo "target=sio sub=/socket.io/?EIO=4&transport=websocket pub=/socket.io/?EIO=4&transport=websocket&pub=1 event=m room=bench" ;;
    soketi) echo "target=pusher sub=/app/app-key?protocol=7&client=bench&version=1 pub=/app/app-key?protocol=7&client=bench&version=1 channel=private-bench event=client-m app_id=app-id key=app-key secret=app-secret" ;;
    mosquitto) echo "target=mqtt sub=/mqtt pub=/mqtt subprotocol=mqtt topic=bench" ;;
    *) die "unknown peer '$1' (one of: $PEERS)" ;;
  esac
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  paths) shift; cmd_paths "$@" ;;
  *) usage ;;
esac
