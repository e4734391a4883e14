#!/usr/bin/env bash
# Installs what is missing, builds, starts a private PostgreSQL 15 (data in
# .data/pg) and runs the server in the foreground until Ctrl-C.
# Extra arguments go to the server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BINARY=$ROOT/build/server/realtime
DATADIR=$ROOT/.data/pg
# Supabase's well-known secret for local development; never for production.
DEV_JWT_SECRET=super-secret-jwt-token-with-at-least-32-characters-long
TOKEN_TTL=86400
STOP_TIMEOUT=10

SERVER_PID=
PG_STARTED=

log() { printf 'run: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

configure_env() {
  export DB_HOST=127.0.0.1 DB_PORT=${DB_PORT:-54322} DB_NAME=postgres DB_USER=postgres
  export DB_PASSWORD='' SLOT_NAME=supabase_realtime_replication_slot
  export PORT=${PORT:-4000} BIND_ADDRESS=${BIND_ADDRESS:-127.0.0.1}
  if [[ -z ${JWT_SECRET:-} ]]; then
    export JWT_SECRET=$DEV_JWT_SECRET
    log "JWT_SECRET is not set: using the public local-development secret (for development only)"
  fi
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      log "server did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# The script's exit status survives this trap.
cleanup() {
  trap - EXIT INT TERM
  stop_server
  if [[ -n $PG_STARTED ]]; then bash "$ROOT/scripts/pg.sh" stop "$DATADIR" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The address a local client uses to reach BIND_ADDRESS.
client_host() {
  local addr=${BIND_ADDRESS#[}
  addr=${addr%]}
  case $addr in
    '' | 0.0.0.0 | '::') echo 127.0.0.1 ;;
    *:*) echo "[$addr]" ;;
    *) echo "$addr" ;;
  esac
}

print_banner() {
  local token=$1 base
  base="ws://$(client_host):$PORT"
  cat <<EOF

realtime (development)
  realtime-js endpoint  $base/realtime/v1
  WebSocket URLs        $base/realtime/v1/websocket?apikey=$token&vsn=2.0.0
                        $base/socket/websocket?apikey=$token&vsn=2.0.0
  dev JWT (anon, ${TOKEN_TTL}s)
    $token
  database              postgresql://postgres@127.0.0.1:$DB_PORT/postgres
                        (scripts/pg.sh psql .data/pg $DB_PORT)

EOF
}

main() {
  cd "$ROOT"
  bash scripts/setup.sh
  bash scripts/build.sh
  [[ -x $BINARY ]] || die "the build did not produce $BINARY"
  configure_env

  PG_STARTED=1
  bash scripts/pg.sh start "$DATADIR" "$DB_PORT"

  local token
  token=$("$BINARY" token --role anon --exp-in "$TOKEN_TTL") || die "could not create a dev JWT"
  print_banner "$token"

  "$BINARY" "$@" &
  SERVER_PID=$!
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=
  log "server exited with status $rc"
  return "$rc"
}

main "$@"
