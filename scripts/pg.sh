#!/usr/bin/env bash
# Manages a private PostgreSQL 15 cluster (wal_level=logical, loopback only).
#
#   scripts/pg.sh start  DATADIR PORT          init if needed, start, create the publication
#   scripts/pg.sh stop   DATADIR
#   scripts/pg.sh status DATADIR               exit 0 if running, 3 if not
#   scripts/pg.sh psql   DATADIR PORT [ARGS]   psql as user postgres on database postgres
#   scripts/pg.sh path   DATADIR               print the directory actually used
#
# DATADIR holds the cluster (DATADIR/data), its log (DATADIR/server.log) and
# its Unix socket. Authentication is trust, so it only listens on 127.0.0.1.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_OS_USER=postgres
PUBLICATION=supabase_realtime
START_TIMEOUT=60
STOP_TIMEOUT=60
READY_TRIES=30
SOCKET_PATH_MAX=107

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,8p' "${BASH_SOURCE[0]}" | cut -c3- >&2; exit 2; }

is_root() { [[ $(id -u) -eq 0 ]]; }

owner_name() { if is_root; then echo "$PG_OS_USER"; else id -un; fi; }

# initdb and pg_ctl refuse to run as root, so root hands the cluster to the
# postgres system user. Commands start from / because that user may not be
# allowed into the caller's working directory.
as_owner() {
  if is_root; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

need_binaries() {
  local b
  for b in initdb pg_ctl psql pg_isready; do
    [[ -x $PG_BINDIR/$b ]] || die "$PG_BINDIR/$b not found; run scripts/setup.sh"
  done
  if is_root; then
    getent passwd "$PG_OS_USER" >/dev/null || die "no '$PG_OS_USER' user; run scripts/setup.sh"
    command -v runuser >/dev/null || die "runuser not found; run scripts/setup.sh"
  fi
}

check_port() {
  if [[ ! $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then
    die "invalid port: $1"
  fi
}

nearest_existing() {
  local d=$1
  while [[ ! -e $d ]]; do d=$(dirname "$d"); done
  printf '%s\n' "$d"
}

fallback_dir() {
  printf '/var/tmp/realtime-pg-%s\n' "$(printf '%s' "$1" | sha256sum | cut -c1-16)"
}

# The directory used for DATADIR. As root it must be reachable by the postgres
# user; a checkout under a private home (/root is mode 700) is not, and then
# the cluster lives in /var/tmp, in a directory named after DATADIR.
resolve_area() {
  local want
  want=$(realpath -m -- "$1")
  if ! is_root || as_owner test -x "$(nearest_existing "$want")"; then
    printf '%s\n' "$want"
  else
    fallback_dir "$want"
  fi
}

report_area() {
  local want
  want=$(realpath -m -- "$1")
  if [[ $want == "$2" ]]; then
    log "data directory: $2/data"
  else
    log "$want is not reachable by the $PG_OS_USER user (a parent directory is private)"
    log "data directory: $2/data (fallback)"
  fi
}

prepare_area() {
  local area=$1 owner
  owner=$(owner_name)
  if [[ ! -d $area ]]; then
    (umask 022 && mkdir -p -- "$area")
    if is_root; then chown "$PG_OS_USER:$PG_OS_USER" -- "$area"; fi
  elif [[ $(stat -c %U -- "$area") != "$owner" ]]; then
    if is_root && [[ -z $(ls -A -- "$area") ]]; then
      chown "$PG_OS_USER:$PG_OS_USER" -- "$area"
    else
      die "$area belongs to $(stat -c %U -- "$area"), not $owner; remove it or choose another directory"
    fi
  fi
  as_owner chmod 700 -- "$area"
}

init_cluster() {
  local data=$1/data out
  [[ -f $data/PG_VERSION ]] && return 0
  log "initialising a new cluster"
  if ! out=$(as_owner "$PG_BINDIR/initdb" -D "$data" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 2>&1); then
    printf '%s\n' "$out" >&2
    die "initdb failed"
  fi
  echo "include_if_exists = 'realtime.conf'" | as_owner tee -a "$data/postgresql.conf" >/dev/null
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# Rewritten on every start so that a new port takes effect; user settings
# belong in ALTER SYSTEM (postgresql.auto.conf), which is read after it.
write_config() {
  local area=$1 port=$2 sockets=$1
  if ((${#area} + ${#port} + 16 > SOCKET_PATH_MAX)); then
    log "path too long for a Unix socket; TCP on 127.0.0.1 only"
    sockets=
  fi
  as_owner tee "$area/data/realtime.conf" >/dev/null <<EOF
# Written by scripts/pg.sh at each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = $(sql_quote "$sockets")
wal_level = logical
# Each server streams two slots (Postgres changes and database broadcast), and
# tests run servers side by side.
max_wal_senders = 32
max_replication_slots = 32
# WAL a slot may hold back before PostgreSQL invalidates it (the default, -1,
# lets a stalled consumer fill the disk).
max_slot_wal_keep_size = 4GB
EOF
}

is_running() {
  [[ -f $1/data/PG_VERSION ]] &&
    as_owner "$PG_BINDIR/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# postmaster.pid: line 1 is the PID, line 4 the port.
pid_field() { as_owner sed -n "${2}p" "$1/data/postmaster.pid"; }

start_server() {
  local area=$1 port=$2
  if ! as_owner "$PG_BINDIR/pg_ctl" -D "$area/data" -l "$area/server.log" \
    -w -t "$START_TIMEOUT" start >/dev/null; then
    log "last lines of $area/server.log:"
    as_owner tail -n 20 "$area/server.log" >&2 || true
    die "PostgreSQL did not start on port $port"
  fi
}

wait_ready() {
  local port=$1 i
  for ((i = 0; i < READY_TRIES; i++)); do
    "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5 && return 0
    sleep 1
  done
  die "PostgreSQL on port $port is not accepting connections"
}

run_psql() {
  local port=$1
  shift
  PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres \
    PGCONNECT_TIMEOUT=10 "$PG_BINDIR/psql" "$@"
}

ensure_publication() {
  run_psql "$1" -X -q -v ON_ERROR_STOP=1 -c "
    DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '$PUBLICATION') THEN
        CREATE PUBLICATION $PUBLICATION;
      END IF;
      -- The roles Supabase tokens name; service_role bypasses row security.
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN BYPASSRLS;
      END IF;
      GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT ON TABLES TO anon, authenticated, service_role;
    END \$\$;"
}

cmd_start() {
  (($# == 2)) || usage
  local datadir=$1 port=$2 area running
  check_port "$port"
  need_binaries
  area=$(resolve_area "$datadir")
  report_area "$datadir" "$area"
  prepare_area "$area"
  init_cluster "$area"
  if is_running "$area"; then
    running=$(pid_field "$area" 4)
    [[ $running == "$port" ]] ||
      die "already running on port $running; stop it first to use port $port"
    log "already running (pid $(pid_field "$area" 1))"
  else
    write_config "$area" "$port"
    start_server "$area" "$port"
  fi
  wait_ready "$port"
  ensure_publication "$port"
  log "ready: postgresql://postgres@127.0.0.1:$port/postgres"
}

cmd_stop() {
  (($# == 1)) || usage
  local area
  need_binaries
  area=$(resolve_area "$1")
  if ! is_running "$area"; then
    log "not running ($area/data)"
    return 0
  fi
  if ! as_owner "$PG_BINDIR/pg_ctl" -D "$area/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null; then
    log "fast shutdown timed out; stopping immediately"
    as_owner "$PG_BINDIR/pg_ctl" -D "$area/data" -m immediate -w -t "$STOP_TIMEOUT" stop >/dev/null
  fi
  log "stopped ($area/data)"
}

cmd_status() {
  (($# == 1)) || usage
  local area
  need_binaries
  area=$(resolve_area "$1")
  if is_running "$area"; then
    echo "running: pid $(pid_field "$area" 1), port $(pid_field "$area" 4), data $area/data"
  else
    echo "not running: $area/data"
    exit 3
  fi
}

cmd_psql() {
  (($# >= 2)) || usage
  local area port=$2
  check_port "$port"
  need_binaries
  area=$(resolve_area "$1")
  is_running "$area" || die "not running ($area/data); start it with: scripts/pg.sh start $1 $port"
  shift 2
  run_psql "$port" "$@"
}

cmd_path() {
  (($# == 1)) || usage
  resolve_area "$1"
}

main() {
  (($# >= 1)) || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    psql) cmd_psql "$@" ;;
    path) cmd_path "$@" ;;
    *) usage ;;
  esac
}

main "$@"
